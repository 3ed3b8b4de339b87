"""Reporting rounds: a round opened by a lead, a city's reports for a round in one submission
(the round's page and POST /api/v1/rounds/{round_id}/cities/{slug}/reports), and the records
the API answers with."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from tracker.models.rounds import SnapshotKind
from tracker.schemas.base import Body, Record
from tracker.schemas.records import Stamp
from tracker.schemas.reports import ProgressFields
from tracker.schemas.types import Day, Measure, RecordId, Text

MAX_ROWS = 1000  # rows of one kind in one submission


class RoundOpening(Body):
    """A round a lead opens (POST /api/v1/rounds): its name, the period reported on, the due
    date reminders use, and the cities (by address) that report in it."""

    name: Text = Field(min_length=1, max_length=200)
    period_start: Day
    period_end: Day = Field(description="not before period_start")
    due_on: Day = Field(description="not before period_start")
    cities: list[Text] = Field(min_length=1, max_length=10000, description="the cities' slugs")


class RoundAction(ProgressFields):
    """An action's new state: a progress report's fields (its date, if left out, the
    submission's), and the action it is on."""

    action_id: RecordId


class RoundValue(Body):
    """An indicator's new value, measured on the report's date."""

    indicator_id: RecordId
    value: Measure


class RoundMilestone(Body):
    """A milestone done."""

    milestone_id: RecordId
    completed_on: Day = Field(description="not in the future")


class RoundReport(Body):
    """A city's reports for the open round, stored together or not at all: a refused row
    refuses the whole submission, and every refused row is named."""

    reported_on: Day = Field(description="the date the reports are for; not in the future")
    actions: list[RoundAction] = Field(default_factory=list, max_length=MAX_ROWS)
    values: list[RoundValue] = Field(default_factory=list, max_length=MAX_ROWS)
    milestones: list[RoundMilestone] = Field(default_factory=list, max_length=MAX_ROWS)

    @property
    def empty(self) -> bool:
        return not (self.actions or self.values or self.milestones)


class RoundClosing(Body):
    """Closing a round (POST /api/v1/rounds/{round_id}/close): an empty object."""


class Round(Record):
    """A reporting round; a closed one with the content hash of its frozen snapshot."""

    id: int
    name: str
    period_start: date
    period_end: date
    due_on: date
    state: Literal["open", "closed"]
    opened_at: Stamp
    closed_at: Stamp | None
    content_hash: str | None = Field(
        description="a closed round's SHA-256 (hex) over its snapshot items: one line per "
        "item, `city_id kind item_id content`, in the order of (city_id, kind, item_id), "
        "each content as stored (JSON with sorted keys and no spaces); null while open"
    )
    cities: list[str] = Field(description="the slugs of the cities that report in it")
    figures: Figures


class Figures(BaseModel):
    """The programme's own KPIs for the round's cities and period."""

    earmarked_eur: float = Field(description="planned costs from the cities' own budgets")
    leveraged_eur: float = Field(description="planned costs from every other funding source")
    partners: int = Field(description="partners engaged by the period's end")
    collaborations: int = Field(description="mentorships active in the period")
    demo: bool = Field(description="whether demo records count in these figures")


class SnapshotEntry(Record):
    """An action, indicator or milestone as it stood when its round closed."""

    id: int
    city: str
    city_id: int
    kind: SnapshotKind
    item_id: int
    content: str = Field(description="the item's state as stored and hashed (JSON text)")


class RoundReported(Record):
    """What a city's submission stored."""

    round_id: int
    city: str
    stored: int


class StatusCount(BaseModel):
    status: str
    first: int
    second: int


class Moved(BaseModel):
    city: str
    kind: SnapshotKind
    item_id: int
    title: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class RoundComparison(Record):
    """What moved from the earlier round to the later one, in the cities of both."""

    first: int
    second: int
    statuses: list[StatusCount] = Field(description="actions per status in each round")
    changes: list[Moved] = Field(description="every item whose state differs")
