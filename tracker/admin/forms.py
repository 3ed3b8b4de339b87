"""Account and audit-filter forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from tracker.forms import DateField, choices, version_field
from tracker.i18n import LANGUAGES
from tracker.models.user import USER_ROLES
from tracker.services.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from tracker.vocabulary import CODE_LABELS

PASSWORD = [DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)]


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(
        _l("Role"),
        choices=choices((r, CODE_LABELS[r]) for r in USER_ROLES),
        validators=[DataRequired()],
    )
    city = SelectField(_l("City (editors only)"), validators=[Optional()])
    is_active = BooleanField(_l("Active"))
    version = version_field()
    submit = SubmitField(_l("Save"))


class NewUserForm(UserForm):
    # A new account gets the least privilege unless the admin chooses more.
    role = SelectField(
        _l("Role"),
        choices=choices((r, CODE_LABELS[r]) for r in USER_ROLES),
        default="viewer",
        validators=[DataRequired()],
    )
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    language = SelectField(
        _l("Language of the account and its invitation"),
        choices=choices(LANGUAGES.items()),
        validators=[Optional()],
    )
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
        description=_l(
            "Leave it empty to invite the person: they get an e-mail with a link to choose "
            "their own password."
        ),
    )
    is_active = None
    version = None
    submit = SubmitField(_l("Create account"))


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=PASSWORD)
    submit = SubmitField(_l("Set password"))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    city = SelectField(_l("City"), validators=[Optional()])
    user = StringField(_l("User e-mail"), validators=[Optional(), Length(max=254)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])


class TokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=100)])
    submit = SubmitField(_l("Issue token"))


class ReviewGrantForm(FlaskForm):
    city = SelectField(_l("City whose reports they review"), validators=[DataRequired()])
    submit = SubmitField(_l("Grant review"))
