"""What people report: progress on an action, a milestone done, moved or reopened, an
indicator's value. Each shape is declared here once; the web forms, the API, the imports and
the seed loader all build these objects and hand them to the services, which hold the rules
that tie the fields together (services/progress.py, services/milestones.py)."""

from __future__ import annotations

from typing import Literal

from flask_babel import lazy_gettext as _l
from pydantic import ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from tracker.models.plan import ActionStatus
from tracker.schemas.base import Body
from tracker.schemas.rules import ABSENT, FILLED, PRESENT, Rule, json_schema
from tracker.schemas.types import Day, EvidenceUrl, Measure, Note, Percent, RecordId

# Optional fields of a body may be left out; sent as null they are refused (see api/reading).
Absent = SkipJsonSchema[None]

# The rules between a report's fields, whatever is stored: the same words at every door.
PROGRESS_RULES = (
    Rule(
        ("status", "done"),
        "percent_complete",
        100,
        _l("An action that is done is 100 percent complete."),
    ),
    Rule(
        ("indicator_id", PRESENT),
        "indicator_value",
        PRESENT,
        _l("Give an indicator and its value together."),
    ),
    Rule(
        ("indicator_value", PRESENT),
        "indicator_id",
        PRESENT,
        _l("Give an indicator and its value together."),
    ),
    Rule(("corrects_id", ABSENT), "reported_on", PRESENT, _l("Give the reported date.")),
    Rule(("corrects_id", PRESENT), "note", FILLED, _l("A correction needs a note that says why.")),
)
MILESTONE_RULES = (
    Rule(("kind", "done"), "completed_on", PRESENT, _l("Give the date it was done.")),
    Rule(("kind", "move"), "due_on", PRESENT, _l("Give the new due date.")),
    Rule(("kind", "move"), "note", FILLED, _l("Say why the date moves.")),
    Rule(("kind", "reopen"), "note", FILLED, _l("Say why the milestone is reopened.")),
)


class ProgressFields(Body):
    """What every progress report says, whichever door it comes in by."""

    reported_on: Day | Absent = Field(
        default=None,
        description="not in the future, not before the plan began; required for a new "
        "report; a correction keeps the date of the update it corrects",
    )
    status: ActionStatus
    percent_complete: Percent = Field(description="100 when the status is done")
    note: Note | Absent = None
    evidence_url: EvidenceUrl | Absent = None
    indicator_value: Measure | Absent = None


class ProgressReport(ProgressFields):
    """A progress report on an action (POST /api/v1/actions/{id}/progress), or a correction
    of an earlier one. The rules between fields hold whatever is stored and are answered with
    422; those that depend on what is stored (the plan's start, whose indicator, which update)
    with 409."""

    model_config = ConfigDict(json_schema_extra=json_schema(PROGRESS_RULES))

    indicator_id: RecordId | Absent = Field(
        default=None, description="an indicator of this action; with indicator_value"
    )
    corrects_id: RecordId | Absent = Field(
        default=None,
        description="the update of this action it corrects (one no correction names yet); a "
        "correction needs a note that says why and takes that update's place in time",
    )


class MilestoneReport(Body):
    """A milestone marked done, moved with a reason, or reopened with a reason
    (POST /api/v1/milestones/{id}/progress)."""

    model_config = ConfigDict(json_schema_extra=json_schema(MILESTONE_RULES))

    kind: Literal["done", "move", "reopen"] = Field(
        description="done needs completed_on; move needs due_on and a note (the reason) and is "
        "refused on a done milestone; reopen undoes a done and needs a note (the reason)"
    )
    completed_on: Day | Absent = None
    due_on: Day | Absent = None
    note: Note | Absent = None
    evidence_url: EvidenceUrl | Absent = None
    version: RecordId | Absent = Field(
        default=None, description="the version read; a stale one is refused with 409"
    )


class IndicatorValueReport(Body):
    """A measured value of an indicator (POST /api/v1/indicators/{id}/values)."""

    measured_on: Day = Field(description="not in the future")
    value: Measure
    note: Note | Absent = None


class DecisionBody(Body):
    """A reviewer's approval or return (POST /api/v1/review/...): a return needs a comment,
    which its author reads."""

    comment: Note | Absent = None
