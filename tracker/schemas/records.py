"""The records the API answers with, one model each: the OpenAPI document's response schemas
are generated from them, and every record is serialised through them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, Field, PlainSerializer, WithJsonSchema

from tracker.domain.states import MilestoneState
from tracker.models.city import ParticipationRole
from tracker.models.plan import ActionStatus, LgdStatus, PartnerKind, PlanKind
from tracker.schemas.base import Record

T = TypeVar("T")


def _utc(moment: datetime) -> str:
    """Always with the UTC offset: SQLite hands stored moments back naive, and all are UTC."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


Stamp = Annotated[
    datetime,
    PlainSerializer(_utc, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Page(BaseModel, Generic[T]):
    """A page of records, in a stable order; how many the filters keep (counted for a page
    asked by offset, null for one asked with after), and where the next page starts."""

    items: list[T]
    total: int | None
    limit: int
    offset: int
    next_after: int | None = Field(
        description="pass as after for the next page; null on the last page"
    )


class Problem(BaseModel):
    """An RFC 9457 problem document; `errors` names each field and what is wrong with it."""

    class FieldProblem(BaseModel):
        field: str | None
        reason: str

    type: str
    status: int
    title: str
    detail: str | None = None
    errors: list[FieldProblem] | None = None


class Programme(Record):
    slug: str
    name: str
    starts_on: date
    ends_on: date
    declared_core_cities: int | None
    declared_mentor_cities: int | None
    lgd_target: int | None
    source_url: str | None


class Phase(Record):
    slug: str
    name: str
    position: int
    starts_on: date | None
    ends_on: date | None
    description: str | None
    source_url: str | None
    programme: str


class Participation(Record):
    programme: str
    role: ParticipationRole
    joined_on: date


class City(Record):
    slug: str
    name: str
    local_name: str | None
    kind: str
    country: str
    latitude: float | None
    longitude: float | None
    source_url: str | None
    programme: str
    role: ParticipationRole
    joined_on: date
    communications_ambassador: bool
    participation_source_url: str | None
    mentors: list[str] = Field(description="slugs of the city's mentors")
    mentees: list[str] = Field(description="slugs of the city's mentees")


class CityDetail(City):
    participations: list[Participation]


class Mentorship(Record):
    id: int
    since_on: date
    ended_on: date | None
    focus: str | None
    is_demo: bool
    source_url: str | None
    version: int
    programme: str
    mentor: str
    mentee: str
    sector: str | None


class Plan(Record):
    id: int
    slug: str
    kind: PlanKind
    title: str
    local_title: str | None
    summary: str | None
    status: LgdStatus | None
    started_on: date | None
    signed_on: date | None
    governance: str | None
    actions_summary: str | None
    integrated_goals: str | None
    partnerships: str | None
    is_demo: bool
    source_url: str | None
    version: int
    city: str


class Partner(Record):
    id: int
    external_id: str | None
    name: str
    kind: PartnerKind
    commitment: str | None
    signed_on: date | None
    is_demo: bool
    source_url: str | None
    version: int
    plan_id: int
    city: str


class Action(Record):
    id: int
    slug: str
    title: str
    description: str | None
    lead_organisation: str | None
    starts_on: date | None
    due_on: date | None
    status: ActionStatus | None
    percent_complete: int | None = Field(ge=0, le=100)
    last_reported_on: date | None
    is_demo: bool
    source_url: str | None
    version: int
    ref: str = Field(description="city/plan/action, the key imports and exports use")
    plan_id: int
    city: str
    sector: str | None
    theme: str | None
    com_sector: str | None = Field(description="the Covenant of Mayors' sector code")
    com_area: str | None = Field(description="the Covenant's area of intervention code")
    com_instrument: str | None = Field(description="the Covenant's policy instrument code")
    origin: str | None
    start_year: int | None
    end_year: int | None
    savings_estimated_mwh: float | None = Field(description="energy savings, MWh a year")
    savings_achieved_mwh: float | None
    renewables_estimated_mwh: float | None = Field(description="renewables produced, MWh a year")
    renewables_achieved_mwh: float | None
    ghg_estimated_t: float | None = Field(description="greenhouse gases avoided, tCO2e a year")
    ghg_achieved_t: float | None
    covenant_status: str | None = Field(description="the status as the Covenant words it")
    cdp_status: str | None = Field(description="the status as CDP-ICLEI Track words it")
    costs: list[Cost]


class Cost(Record):
    """An action's cost in a year from one funding source, in EUR."""

    year: int
    funding_source: str
    planned_eur: float | None
    spent_eur: float | None


class Slip(Record):
    moved_on: date
    due_on: date
    reason: str | None


class Milestone(Record):
    id: int
    slug: str
    title: str
    description: str | None
    location: str | None
    planned_on: date
    due_on: date
    ends_on: date | None
    date_precision: str
    completed_on: date | None
    lgd_step: str | None
    is_demo: bool
    source_url: str | None
    version: int
    state: MilestoneState
    city: str | None
    slips: list[Slip]


class ReviewState(BaseModel):
    """A report's review state: approved (on entry, as every report is while review is off,
    or by a reviewer), submitted (awaiting review), or returned with the reviewer's comment."""

    state: Literal["submitted", "approved", "returned"]
    reviewer: str | None = Field(description="the deciding reviewer's e-mail")
    decided_at: Stamp | None
    comment: str | None


class ProgressUpdate(Record):
    id: int
    external_id: str | None
    action_id: int | None
    milestone_id: int | None
    reported_on: date
    status: ActionStatus | None
    percent_complete: int | None = Field(ge=0, le=100)
    note: str | None
    evidence_url: str | None
    indicator_id: int | None
    indicator_value: float | None
    corrects_id: int | None
    corrected_by_id: int | None
    is_effective: bool
    due_on: date | None
    completed_on: date | None
    created_at: Stamp | None
    is_demo: bool
    author: str | None = Field(description="the reporting account's e-mail")
    review: ReviewState


class Indicator(Record):
    id: int
    action_id: int
    slug: str
    name: str
    unit: str
    baseline_value: float | None
    baseline_on: date | None
    target_value: float | None
    target_on: date | None
    description: str | None
    is_demo: bool
    source_url: str | None
    version: int


class IndicatorValue(Record):
    id: int
    measured_on: date
    value: float
    note: str | None
    created_at: Stamp | None
    is_demo: bool
    source_url: str | None
    review: ReviewState


class Change(BaseModel):
    what: Literal["status", "percent", "value", "due", "done"]
    before: str | int | float | date | None = Field(description="the last approved value")
    after: str | int | float | date | None = Field(description="the reported value")
    unit: str | None


class ReviewItem(Record):
    """A report waiting for review (GET /api/v1/review), oldest first."""

    report: Literal["update", "value"] = Field(
        description="a progress update or milestone report (update), or an indicator value"
    )
    report_id: int
    kind: Literal["progress", "indicator", "milestone"]
    city: str | None = Field(description="the city's name; none for a programme milestone")
    title: str
    reported_on: date
    submitted_at: Stamp
    author: str
    note: str | None
    evidence_url: str | None
    correction: bool
    own: bool = Field(description="your own report: another reviewer decides")
    changes: list[Change]


class ReviewDecision(Record):
    """A reviewer's decision on one report."""

    report: Literal["update", "value"]
    report_id: int
    state: Literal["approved", "returned"]
    reviewer: str
    decided_at: Stamp
    comment: str | None
