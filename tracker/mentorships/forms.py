"""Mentorship forms (programme leads)."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.forms import optional_int, version_field


class MentorshipForm(FlaskForm):
    mentor = SelectField("Mentor city", validators=[DataRequired()])
    mentee = SelectField("Mentee city", validators=[DataRequired()])
    since_on = DateField("Since", validators=[InputRequired()])
    sector_id = SelectField("Sector", coerce=optional_int, validators=[Optional()])
    focus = StringField("Focus", validators=[Optional(), Length(max=300)])
    submit = SubmitField("Add mentorship")


class EditMentorshipForm(FlaskForm):
    since_on = DateField("Since", validators=[InputRequired()])
    ended_on = DateField("Ended on", validators=[Optional()])
    sector_id = SelectField("Sector", coerce=optional_int, validators=[Optional()])
    focus = StringField("Focus", validators=[Optional(), Length(max=300)])
    version = version_field()
    submit = SubmitField("Save")
