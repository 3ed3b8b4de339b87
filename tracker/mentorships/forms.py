"""Mentorship forms (programme leads); each fills its own choices."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.forms import DateField, choices, optional_int, version_field
from tracker.models import Programme
from tracker.services import mentorships, options


def _sector_choices() -> list[Any]:
    return choices([(None, "None"), *options.sectors(by="id")])


class MentorshipForm(FlaskForm):
    mentor = SelectField(_l("Mentor city"), validators=[DataRequired()])
    mentee = SelectField(_l("Mentee city"), validators=[DataRequired()])
    since_on = DateField(_l("Since"), validators=[InputRequired()])
    sector_id = SelectField(_l("Sector"), coerce=optional_int, validators=[Optional()])
    focus = StringField(_l("Focus"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Add mentorship"))

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cities = mentorships.participation_choices(programme)
        self.mentor.choices = choices(cities["mentor"])
        self.mentee.choices = choices(cities["mentee"])
        self.sector_id.choices = _sector_choices()


class EditMentorshipForm(FlaskForm):
    since_on = DateField(_l("Since"), validators=[InputRequired()])
    ended_on = DateField(_l("Ended on"), validators=[Optional()])
    sector_id = SelectField(_l("Sector"), coerce=optional_int, validators=[Optional()])
    focus = StringField(_l("Focus"), validators=[Optional(), Length(max=300)])
    version = version_field()
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sector_id.choices = _sector_choices()
