"""Mentorship forms (programme leads); each fills its own choices."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.forms import DateField, choices, optional_int, version_field
from tracker.queries import mentorships as mentorships_read
from tracker.queries import options


def _sector_choices() -> list[Any]:
    return choices([(None, _l("None")), *options.sectors(by="id")])


class MentorshipForm(FlaskForm):
    mentor = SelectField(_l("Mentor city"), validators=[DataRequired()])
    # Typed, not chosen from a list: a list of every city would outgrow the page.
    mentee = StringField(
        _l("Mentee city"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("Its name or address name."),
    )
    since_on = DateField(_l("Since"), validators=[InputRequired()])
    sector_id = SelectField(_l("Sector"), coerce=optional_int, validators=[Optional()])
    focus = StringField(_l("Focus"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Add mentorship"))

    def __init__(self, *args: Any, programme_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mentor.choices = choices(mentorships_read.mentor_choices(programme_id))
        self.sector_id.choices = _sector_choices()

    def validate_mentee(self, field: StringField) -> None:
        slug = options.city_slug(field.data)
        if slug is None:
            raise ValidationError(_("No city is called %(name)s.", name=field.data))
        field.data = slug


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
