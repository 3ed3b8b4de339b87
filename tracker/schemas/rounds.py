"""Reporting rounds: a round opened by a lead, and a city's reports for a round in one
submission (the round's page and POST /api/v1/rounds/{id}/cities/{slug}/reports)."""

from __future__ import annotations

from pydantic import Field

from tracker.models.plan import ActionStatus
from tracker.schemas.base import Body
from tracker.schemas.reports import Absent
from tracker.schemas.types import Day, Measure, Note, Percent, RecordId, Text

MAX_ROWS = 1000  # rows of one kind in one submission


class RoundOpening(Body):
    """A round a lead opens (POST /api/v1/rounds): its name, the period reported on, the due
    date reminders use, and the cities (by address) that report in it."""

    name: Text = Field(min_length=1, max_length=200)
    period_start: Day
    period_end: Day = Field(description="not before period_start")
    due_on: Day = Field(description="not before period_start")
    cities: list[Text] = Field(min_length=1, max_length=10000, description="the cities' slugs")


class RoundAction(Body):
    """An action's new state."""

    action_id: RecordId
    status: ActionStatus
    percent_complete: Percent = Field(description="100 when the status is done")
    note: Note | Absent = None


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
