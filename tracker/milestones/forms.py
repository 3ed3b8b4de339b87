"""Milestone forms: done (with date and evidence) and moved (with a reason)."""

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.domain import states
from tracker.forms import DateField, choices, http_url, text_or_none, version_field
from tracker.models.programme import LGD_STEPS
from tracker.queries import milestones as milestone_queries
from tracker.queries import options
from tracker.queries.cohort import STEP_TITLES
from tracker.schemas.base import build
from tracker.schemas.reports import MilestoneReport
from tracker.schemas.types import NOTE_MAX, URL_MAX
from tracker.vocabulary import label


class ReportForm(FlaskForm):
    """A form that makes one milestone report of its `kind`: each field of the report is read
    from the form's field of that name (or the one `aliases` names), texts trimmed."""

    kind = ""
    aliases: dict[str, str] = {}

    def report(self) -> MilestoneReport:
        values: dict[str, Any] = {"kind": self.kind}
        for name in MilestoneReport.model_fields.keys() - {"kind"}:
            field = self._fields.get(self.aliases.get(name, name))
            if field is not None:
                values[name] = (
                    text_or_none(field.data) if isinstance(field.data, str) else field.data
                )
        return build(MilestoneReport, **values)


class DoneForm(ReportForm):
    kind = "done"
    completed_on = DateField(_l("Done on"), validators=[InputRequired()])
    evidence_url = StringField(
        _l("Evidence link"), validators=[Optional(), Length(max=URL_MAX), http_url]
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=NOTE_MAX)])
    version = version_field()
    submit = SubmitField(_l("Mark done"))


class MoveForm(ReportForm):
    kind = "move"
    due_on = DateField(_l("New due date"), validators=[InputRequired()])
    reason = TextAreaField(_l("Why it moves"), validators=[DataRequired(), Length(max=NOTE_MAX)])
    version = version_field()
    submit = SubmitField(_l("Move due date"))
    aliases = {"note": "reason"}  # the report's note is this form's reason


class MilestoneFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    # Typed, not chosen from a list: a list of every city would outgrow the page.
    city = StringField(
        _l("City"),
        validators=[Optional(), Length(max=200)],
        description=_l("Its name or address name; empty for all cities."),
    )
    country = SelectField(_l("Country"), validators=[Optional()])
    sector = SelectField(_l("Sector"), validators=[Optional()])
    state = SelectField(_l("State"), validators=[Optional()])
    step = SelectField(_l("Step or owner"), validators=[Optional()])
    moved = BooleanField(
        _l("Only milestones that moved"), false_values=("", "0", "false", "no", "off")
    )
    sort = SelectField(_l("Sort by"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step.choices = choices(
            [
                ("", _l("Any")),
                (milestone_queries.PROGRAMME, _l("The programme's own milestones")),
                *((step, STEP_TITLES[step]) for step in LGD_STEPS),
            ]
        )
        self.sort.choices = choices(
            [("due", _l("due date")), ("slip", _l("slip, the largest first"))]
        )
        self.country.choices = choices([("", _l("All countries")), *options.countries()])
        self.sector.choices = choices([("", _l("All sectors")), *options.sectors()])
        self.state.choices = choices(
            [("", _l("All states")), *((s, label(s)) for s in states.MILESTONE_STATES)]
        )

    def validate_city(self, field: StringField) -> None:
        if field.data and options.city_slug(field.data) is None:
            raise ValidationError(_("No city is called %(name)s.", name=field.data))

    def selected(self) -> milestone_queries.MilestoneFilter:
        return milestone_queries.MilestoneFilter(
            city=options.city_slug(self.city.data),
            country=self.country.data or None,
            sector=self.sector.data or None,
            state=self.state.data or None,
            step=self.step.data or None,
            moved=bool(self.moved.data),
            sort=self.sort.data or "due",
        )


class ReopenForm(ReportForm):
    kind = "reopen"
    reason = TextAreaField(
        _l("Why it is reopened"), validators=[DataRequired(), Length(max=NOTE_MAX)]
    )
    version = version_field()
    submit = SubmitField(_l("Reopen"))
    aliases = {"note": "reason"}
