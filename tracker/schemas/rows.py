"""The rows an import reads, in the columns the exports write: cells are text (or a
spreadsheet's typed values) read into the same types as the API's bodies, a blank cell is an
empty one, and columns the import does not read (author, created_at, demo...) are left alone."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tracker.models.frameworks import FundingSource
from tracker.models.plan import PartnerKind
from tracker.schemas.reports import ProgressFields
from tracker.schemas.types import Day, Text
from tracker.tables import restore

ROW_CONFIG = ConfigDict(
    strict=False, extra="ignore", frozen=True, coerce_numbers_to_str=True, str_strip_whitespace=True
)


def _cells(data: Any) -> Any:
    """Blank cells are left out; text loses a spreadsheet's formula guard ('=...)."""
    if not isinstance(data, dict):
        return data
    cells = {}
    for column, value in data.items():
        if isinstance(value, str):
            value = restore(value.strip())
            if not value:
                continue
        elif value is None:
            continue
        elif isinstance(value, datetime) and value.time() == datetime.min.time():
            value = value.date()
        cells[column] = value
    return cells


Str80 = Annotated[Text, Field(max_length=80)]
Str100 = Annotated[Text, Field(max_length=100)]
Str200 = Annotated[Text, Field(max_length=200)]
Str300 = Annotated[Text, Field(max_length=300)]
Str5000 = Annotated[Text, Field(max_length=5000)]


class Row(BaseModel):
    model_config = ROW_CONFIG

    @model_validator(mode="before")
    @classmethod
    def _read_cells(cls, data: Any) -> Any:
        return _cells(data)

    @classmethod
    def required_columns(cls) -> set[str]:
        return {name for name, field in cls.model_fields.items() if field.is_required()}


class ProgressRow(ProgressFields, Row):
    """A progress export's row read back: a new report, or (the same external id with other
    values) a correction of the one imported before."""

    model_config = ROW_CONFIG

    external_id: Str100
    action: Str300 = Field(description="the action, as city/plan/action")
    reported_on: Day
    indicator: Str80 | None = Field(default=None, description="the indicator's slug")
    corrects: Str100 | None = Field(
        default=None, description="the external id of the corrected row"
    )


class ActionRow(Row):
    external_id: Str300
    plan: Str200
    title: Str300
    lead_organisation: Str300 | None = None
    starts_on: Day | None = None
    due_on: Day | None = None
    sector: Str80 | None = None
    theme: Str80 | None = None
    # What the Covenant of Mayors and CDP ask (codes as models/frameworks.py lists them; the
    # service checks each against its list)
    com_sector: Str80 | None = None
    com_area: Str80 | None = None
    com_instrument: Str80 | None = None
    origin: Str80 | None = None
    start_year: int | None = None
    end_year: int | None = None
    savings_estimated_mwh: float | None = None
    savings_achieved_mwh: float | None = None
    renewables_estimated_mwh: float | None = None
    renewables_achieved_mwh: float | None = None
    ghg_estimated_t: float | None = None
    ghg_achieved_t: float | None = None


class CostRow(Row):
    """An action's cost in a year from one funding source; both amounts blank removes it."""

    action: Str300 = Field(description="the action, as city/plan/action")
    year: int
    funding_source: FundingSource
    planned_eur: float | None = None
    spent_eur: float | None = None


class PartnerRow(Row):
    external_id: Str100
    plan: Str200
    name: Str300
    kind: PartnerKind
    commitment: Str5000 | None = None
    signed_on: Day | None = None
