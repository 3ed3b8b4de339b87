"""The query strings the API's lists accept, one model per list: each parameter's type and
bounds, and the documented parameters generated from them. Any other parameter is refused."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from tracker.domain.states import MilestoneState
from tracker.models.city import ParticipationRole
from tracker.models.plan import ActionStatus, LgdStatus, PlanKind
from tracker.schemas.base import Query
from tracker.schemas.types import Country, Limit, Moment, Offset, RecordId, Slug

Absent = SkipJsonSchema[None]


class Paged(Query):
    limit: Limit = 100
    offset: Offset = 0
    after: RecordId | Absent = Field(
        default=None,
        description=(
            "start after this record: the next_after of the page before (the list's order "
            "kept; any offset is counted from there). A page read this way is not counted "
            "(total is null) and costs what the first page does"
        ),
    )


class ByCity(Paged):
    city: Slug | Absent = Field(default=None, description="a city's slug")
    country: Country | Absent = Field(default=None, description="a two-letter country code")


class BySector(ByCity):
    sector: Slug | Absent = Field(default=None, description="a sector's slug")


class Since(Query):
    updated_since: Moment | Absent = Field(
        default=None, description="only what was reported at or after this moment"
    )


class Programmes(Paged):
    pass


class Phases(Paged):
    programme: Slug | Absent = Field(default=None, description="a programme's slug")


class Cities(BySector):
    role: ParticipationRole | Absent = None


class Mentorships(Paged):
    city: Slug | Absent = Field(default=None, description="a city's slug")


class Plans(ByCity):
    kind: PlanKind | Absent = None
    status: LgdStatus | Absent = None


class Partners(ByCity):
    pass


class Actions(BySector, Since):
    status: ActionStatus | Absent = None


class Milestones(BySector):
    status: MilestoneState | Absent = None


class ProgressUpdates(BySector, Since):
    status: ActionStatus | Absent = None


class Indicators(ByCity):
    pass


class IndicatorValues(Paged, Since):
    pass


class ReviewQueue(Paged):
    city: Slug | Absent = Field(default=None, description="a city's slug")
    kind: Literal["progress", "indicator", "milestone"] | Absent = None


class Rounds(Paged):
    state: Literal["open", "closed"] | Absent = None


class RoundItems(Paged):
    city: Slug | Absent = Field(default=None, description="a city's slug")
    kind: Literal["action", "indicator", "milestone"] | Absent = None


class NoQuery(Query):
    """A single record: no query parameters."""
