"""Round forms: opening a round (leads), closing one, choosing two rounds to compare."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.forms import DateField
from tracker.queries import options

MAX_CITIES_TYPED = 10000


class RoundForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    period_start = DateField(_l("Period from"), validators=[InputRequired()])
    period_end = DateField(_l("Period to"), validators=[InputRequired()])
    due_on = DateField(
        _l("Due date"),
        validators=[InputRequired()],
        description=_l("Reminders tell the cities' editors of it."),
    )
    cities = TextAreaField(
        _l("Cities"),
        validators=[Optional(), Length(max=200000)],
        description=_l(
            "Names or address names, separated by commas or lines. Leave empty for every city "
            "of the programme."
        ),
    )
    submit = SubmitField(_l("Open the round"))

    def validate_cities(self, field: TextAreaField) -> None:
        typed = [t for t in re.split(r"[,\n]", field.data or "") if t.strip()]
        if len(typed) > MAX_CITIES_TYPED:
            raise ValidationError(_("Name at most %(n)s cities.", n=MAX_CITIES_TYPED))
        found: list[str] = []
        unknown: list[str] = []
        for text in typed:
            slug = options.city_slug(text)
            (found if slug else unknown).append(slug or text.strip())
        if unknown:
            raise ValidationError(_("No city is called %(names)s.", names=", ".join(unknown[:10])))
        self.slugs: list[str] = sorted(set(found))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slugs = []
