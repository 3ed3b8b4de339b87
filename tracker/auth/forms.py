"""Sign-in and password forms: input validation only; the checks live in the accounts service."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from tracker.domain.errors import Invalid
from tracker.services.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from tracker.services.sign_in import normalise_email


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    submit = SubmitField(_l("Sign in"))


# Made before the new password's fields, so that a change form asks for it first (a form's
# fields stand in the order they were made).
CURRENT_PASSWORD = PasswordField(_l("Current password"), validators=[DataRequired()])


class NewPasswordFields(FlaskForm):
    """A new password, typed twice."""

    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two entries differ."))],
    )


class PasswordChangeForm(NewPasswordFields):
    current_password = CURRENT_PASSWORD
    submit = SubmitField(_l("Change password"))


class LanguageForm(FlaskForm):
    """The header's switch: one button per language."""

    language = SelectField(_l("Language"), validators=[DataRequired()])
    next = HiddenField()


class TimeZoneForm(FlaskForm):
    time_zone = SelectField(
        _l("Show times in"),
        validators=[Optional()],
        description=_l("Entry times, audit times and conflicts are shown in this time zone."),
    )
    submit = SubmitField(_l("Save time zone"))


class SetPasswordForm(NewPasswordFields):
    """A new password through an invitation or a reset link."""

    submit = SubmitField(_l("Set password"))


class ForgotForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))

    def validate_email(self, field: EmailField) -> None:
        """An address that cannot be one is said so (whether it has an account is not)."""
        try:
            normalise_email(field.data)
        except Invalid as error:
            raise ValidationError(error.message) from error


REVIEW_MAIL_HINT = _l(
    "In your reminder digest, or in a message each time a report is submitted for a city you "
    "review."
)


class ReviewMailForm(FlaskForm):
    """How a reviewer hears of new reports to review."""

    review_mail = SelectField(
        _l("New reports to review"), validators=[DataRequired()], description=REVIEW_MAIL_HINT
    )
    submit = SubmitField(_l("Save"))


class RemindersForm(FlaskForm):
    reminders = SelectField(
        _l("E-mail reminders"),
        validators=[DataRequired()],
        description=_l(
            "Editors: your city's actions with no recent update and its milestones due or "
            "overdue; leads: the programme's week. A message is sent only when there is "
            "something in it."
        ),
    )
    submit = SubmitField(_l("Save reminders"))
