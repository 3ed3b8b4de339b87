"""Sign-in form: input validation only; the password check lives in the accounts service."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    submit = SubmitField("Sign in")


class EmptyForm(FlaskForm):
    """A CSRF-protected button."""

    submit = SubmitField("Submit")
