"""Action forms. The progress form's field names are the contract the API reuses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from tracker.forms import (
    DateField,
    NumberField,
    choices,
    http_url,
    optional_code,
    optional_int,
    text_or_none,
    version_field,
)
from tracker.models import Indicator, ProgressUpdate
from tracker.models.frameworks import FIELDS as FRAMEWORK_FIELDS
from tracker.models.plan import ACTION_STATUSES
from tracker.schemas.base import build
from tracker.schemas.reports import ProgressReport
from tracker.schemas.types import MEASURE_LIMIT, NOTE_MAX, URL_MAX
from tracker.services.plausibility import unusual
from tracker.vocabulary import FRAMEWORK_LABELS, STATUS_LABELS

# Indicator values: any finite number a city might measure; NumberRange also refuses nan/inf.
VALUE_RANGE = NumberRange(
    min=-MEASURE_LIMIT, max=MEASURE_LIMIT, message=_l("Give a finite number.")
)


class ProgressForm(FlaskForm):
    reported_on: DateField | None = DateField(_l("Reported date"), validators=[InputRequired()])
    status = SelectField(
        _l("Status"),
        choices=choices((s, STATUS_LABELS[s]) for s in ACTION_STATUSES),
        validators=[InputRequired()],
    )
    percent_complete = NumberField(
        _l("Percent complete"),
        validators=[InputRequired(), NumberRange(0, 100, _l("Give a whole number from 0 to 100."))],
        whole=True,
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=NOTE_MAX)])
    evidence_url = StringField(
        _l("Evidence link"), validators=[Optional(), Length(max=URL_MAX), http_url]
    )
    indicator_id = SelectField(_l("Indicator"), coerce=optional_int, validators=[Optional()])
    indicator_value = NumberField(_l("Indicator value"), validators=[Optional(), VALUE_RANGE])
    # Shown once a value was refused as unusual: the person confirms it is what they meant.
    value_confirmed = BooleanField(_l("This value is correct"))
    submit = SubmitField(_l("Log progress"))
    on_request = ("value_confirmed",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators: dict[int, Indicator] = {}
        self.asking: set[str] = {"value_confirmed"} if self.value_confirmed.data else set()

    def set_choices(self, indicators: Iterable[Indicator]) -> None:
        self.indicators = {i.id: i for i in indicators}
        self.indicator_id.choices = choices(
            [(None, _l("None"))]
            + [(i.id, f"{i.name} ({i.unit})") for i in self.indicators.values()]
        )

    def _unusual(self) -> str | None:
        """Why the indicator value is unusual for its indicator, or None when it is not."""
        indicator = self.indicators.get(self.indicator_id.data or 0)
        value = self.indicator_value.data
        if value is None or indicator is None:
            return None
        return unusual(indicator.unit, indicator.baseline_value, indicator.target_value, value)

    def validate_indicator_value(self, _field: NumberField) -> None:
        """A value far from what its indicator makes plausible needs the person's word."""
        if not self.value_confirmed.data and (refusal := self._unusual()):
            self.asking.add("value_confirmed")
            raise ValidationError(refusal)

    def confirmed_unusual(self) -> bool:
        """Whether the person stored a value the plausibility check would have refused."""
        return bool(self.value_confirmed.data and self._unusual())

    def report(self, corrects_id: int | None = None) -> ProgressReport:
        return build(
            ProgressReport,
            reported_on=self.reported_on.data if self.reported_on else None,
            status=self.status.data,
            percent_complete=self.percent_complete.data,
            note=text_or_none(self.note.data),
            evidence_url=text_or_none(self.evidence_url.data),
            indicator_id=self.indicator_id.data,
            indicator_value=self.indicator_value.data,
            corrects_id=corrects_id,
        )


class CorrectionForm(ProgressForm):
    """A correction of one update: it keeps that update's reported date and says why."""

    reported_on = None
    note = TextAreaField(
        _l("Why it is corrected"), validators=[DataRequired(), Length(max=NOTE_MAX)]
    )
    submit = SubmitField(_l("Save the correction"))

    @classmethod
    def of(cls, update: ProgressUpdate) -> CorrectionForm:
        """Opened on `update`: pre-filled with what it reported, the reason left to write."""
        return cls(
            formdata=None,
            status=update.status,
            percent_complete=update.percent_complete,
            evidence_url=update.evidence_url,
            indicator_id=update.indicator_id,
            indicator_value=update.indicator_value,
        )


class ActionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    sector_id = SelectField(_l("Sector"), coerce=optional_int, validators=[Optional()])
    theme_id = SelectField(_l("Theme"), coerce=optional_int, validators=[Optional()])
    lead_organisation = StringField(
        _l("Lead organisation"), validators=[Optional(), Length(max=300)]
    )
    starts_on = DateField(_l("Start date"), validators=[Optional()])
    due_on = DateField(_l("Due date"), validators=[Optional()])
    # What the Covenant of Mayors and CDP ask (all optional; docs/crosswalk.md)
    com_sector = SelectField(_l("Covenant sector"), coerce=optional_code, validators=[Optional()])
    com_area = SelectField(
        _l("Area of intervention"), coerce=optional_code, validators=[Optional()]
    )
    com_instrument = SelectField(
        _l("Policy instrument"), coerce=optional_code, validators=[Optional()]
    )
    origin = SelectField(_l("Origin of the action"), coerce=optional_code, validators=[Optional()])
    start_year = NumberField(_l("Start year"), validators=[Optional()], whole=True)
    end_year = NumberField(_l("End year"), validators=[Optional()], whole=True)
    savings_estimated_mwh = NumberField(_l("Energy savings, estimated (MWh/a)"))
    savings_achieved_mwh = NumberField(_l("Energy savings, achieved (MWh/a)"))
    renewables_estimated_mwh = NumberField(_l("Renewable energy produced, estimated (MWh/a)"))
    renewables_achieved_mwh = NumberField(_l("Renewable energy produced, achieved (MWh/a)"))
    ghg_estimated_t = NumberField(_l("Greenhouse gases avoided, estimated (tCO2e/a)"))
    ghg_achieved_t = NumberField(_l("Greenhouse gases avoided, achieved (tCO2e/a)"))
    version = version_field()
    submit = SubmitField(_l("Save"))

    def set_choices(
        self, sectors: Iterable[tuple[Any, str]], themes: Iterable[tuple[Any, str]]
    ) -> None:
        self.sector_id.choices = choices([(None, _l("None")), *sectors])
        self.theme_id.choices = choices([(None, _l("None")), *themes])
        for name in ("com_sector", "com_area", "com_instrument", "origin"):
            labels = FRAMEWORK_LABELS[name]
            getattr(self, name).choices = choices([(None, _l("None")), *labels.items()])

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title.data.strip(),
            "description": (self.description.data or "").strip() or None,
            "sector_id": self.sector_id.data,
            "theme_id": self.theme_id.data,
            "lead_organisation": (self.lead_organisation.data or "").strip() or None,
            "starts_on": self.starts_on.data,
            "due_on": self.due_on.data,
            **{name: getattr(self, name).data for name in FRAMEWORK_FIELDS},
        }


class NewActionForm(ActionForm):
    version = None  # a new record has no version yet


class IndicatorForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    unit = StringField(_l("Unit"), validators=[DataRequired(), Length(max=40)])
    baseline_value = NumberField(_l("Baseline"), validators=[Optional(), VALUE_RANGE])
    baseline_on = DateField(_l("Baseline date"), validators=[Optional()])
    target_value = NumberField(_l("Target"), validators=[Optional(), VALUE_RANGE])
    target_on = DateField(_l("Target date"), validators=[Optional()])
    version = version_field()
    submit = SubmitField(_l("Save"))

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.data.strip(),
            "unit": self.unit.data.strip(),
            "baseline_value": self.baseline_value.data,
            "baseline_on": self.baseline_on.data,
            "target_value": self.target_value.data,
            "target_on": self.target_on.data,
        }


class NewIndicatorForm(IndicatorForm):
    version = None


class CostForm(FlaskForm):
    """An action's cost in a year from one funding source; both amounts blank removes it."""

    year = NumberField(_l("Year"), validators=[InputRequired()], whole=True)
    funding_source = SelectField(_l("Funding source"), validators=[InputRequired()])
    planned_eur = NumberField(_l("Planned (EUR)"))
    spent_eur = NumberField(_l("Spent (EUR)"))
    submit = SubmitField(_l("Save the cost"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.funding_source.choices = choices(FRAMEWORK_LABELS["funding_source"].items())
