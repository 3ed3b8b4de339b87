"""Account and audit-filter forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from tracker.forms import DateField, choices, version_field
from tracker.models.user import USER_ROLES
from tracker.services.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

PASSWORD = [DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)]


class UserForm(FlaskForm):
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    role = SelectField(
        "Role", choices=choices((r, r) for r in USER_ROLES), validators=[DataRequired()]
    )
    city = SelectField("City (editors only)", validators=[Optional()])
    is_active = BooleanField("Active")
    version = version_field()
    submit = SubmitField("Save")


class NewUserForm(UserForm):
    # A new account gets the least privilege unless the admin chooses more.
    role = SelectField(
        "Role",
        choices=choices((r, r) for r in USER_ROLES),
        default="viewer",
        validators=[DataRequired()],
    )
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=PASSWORD)
    is_active = None
    version = None
    submit = SubmitField("Create account")


class PasswordResetForm(FlaskForm):
    password = PasswordField("New password", validators=PASSWORD)
    submit = SubmitField("Set password")


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    city = SelectField("City", validators=[Optional()])
    user = StringField("User e-mail", validators=[Optional(), Length(max=254)])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])


class TokenForm(FlaskForm):
    name = StringField("What the token is for", validators=[DataRequired(), Length(max=100)])
    submit = SubmitField("Issue token")
