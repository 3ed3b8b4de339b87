"""The city list's filters (GET); the form fills its own choices."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from tracker.forms import choices
from tracker.models.city import PARTICIPATION_ROLES
from tracker.models.plan import LGD_STATUSES
from tracker.queries import cities, options
from tracker.schemas.types import NOTE_MAX
from tracker.vocabulary import label

SORT_LABELS = {
    "name": _l("name"),
    "role": _l("role"),
    "country": _l("country"),
    "lgd_status": _l("deal status"),
    "last_update": _l("last update"),
}


class CityFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    role = SelectField(_l("Role"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])
    sector = SelectField(_l("Sector"), validators=[Optional()])
    lgd_status = SelectField(_l("Deal status"), validators=[Optional()])
    sort = SelectField(_l("Sort by"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = choices(
            [("", _l("All roles")), *((r, label(r)) for r in PARTICIPATION_ROLES)]
        )
        self.country.choices = choices([("", _l("All countries")), *options.countries()])
        self.sector.choices = choices([("", _l("All sectors")), *options.sectors()])
        self.lgd_status.choices = choices(
            [("", _l("Any deal status")), *((s, label(s)) for s in LGD_STATUSES)]
        )
        self.sort.choices = choices((s, SORT_LABELS[s]) for s in cities.SORTS)

    def selected(self) -> cities.CityFilter:
        return cities.CityFilter(
            role=self.role.data or None,
            country=self.country.data or None,
            sector=self.sector.data or None,
            lgd_status=self.lgd_status.data or None,
            sort=self.sort.data or "name",
        )


class RemindForm(FlaskForm):
    """A lead's reminder to one city's editors, sent now."""

    note = TextAreaField(
        _l("Note to the editors (optional)"),
        validators=[Optional(), Length(max=NOTE_MAX)],
    )
    submit = SubmitField(_l("Send a reminder now"))
