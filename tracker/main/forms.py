"""The cohort's filters (GET); the form fills its own choices."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.validators import Optional

from tracker.forms import choices
from tracker.queries import cohort, options
from tracker.queries import mentorships as mentorships_read
from tracker.vocabulary import label

SORT_LABELS = {
    "name": _l("name"),
    "country": _l("country"),
    "mentor": _l("mentor"),
    "progress": _l("steps done, then action progress"),
    "lateness": _l("lateness: most late steps, longest overdue first"),
}


class CohortFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    late = BooleanField(
        _l("Only cities with a late step"), false_values=("", "0", "false", "no", "off")
    )
    state = SelectField(_l("With a step that is"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])
    mentor = SelectField(_l("Mentor"), validators=[Optional()])
    sort = SelectField(_l("Sort by"), validators=[Optional()])
    approved = BooleanField(
        _l("Approved data only (as the public view shows it)"),
        false_values=("", "0", "false", "no", "off"),
    )

    def __init__(self, *args: Any, programme_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.state.choices = choices(
            [("", _l("any state")), *((s, label(s)) for s in cohort.STEP_STATES)]
        )
        self.country.choices = choices([("", _l("All countries")), *options.countries()])
        self.mentor.choices = choices(
            [("", _l("All mentors")), *mentorships_read.mentor_choices(programme_id)]
        )
        self.sort.choices = choices((s, str(SORT_LABELS[s])) for s in cohort.SORTS)

    def selected(self) -> cohort.CohortFilter:
        return cohort.CohortFilter(
            late=bool(self.late.data),
            state=self.state.data or None,
            country=self.country.data or None,
            mentor=self.mentor.data or None,
            sort=self.sort.data or "name",
            approved=bool(self.approved.data),
        )
