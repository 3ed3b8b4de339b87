"""What each table of a seed file holds: its fields, how each is read (a plain value or a
reference to another record by natural key), and the key a record is matched by. A progress
report's fields are the report's own (tracker/schemas/reports.py), not declared again here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tracker.models import (
    Action,
    ActionCost,
    City,
    Indicator,
    IndicatorValue,
    Mentorship,
    Milestone,
    Participation,
    Partner,
    Phase,
    Plan,
    PlanTarget,
    Programme,
    ProgrammeFigure,
    ProgressUpdate,
    Sector,
    Theme,
)
from tracker.models.frameworks import CODED, IMPACTS
from tracker.schemas.reports import ProgressFields
from tracker.services import ledger


@dataclass(frozen=True)
class Value:
    """A plain field: `kind` is one of str, date, int, float, bool, url."""

    kind: str
    required: bool = False
    column: str | None = None


def _kind(schema: dict[str, Any]) -> str:
    """How a seed reads a value of this JSON Schema: a date, a number, a link, or text."""
    if schema.get("format") == "date":
        return "date"
    if str(schema.get("pattern", "")).startswith("^https?"):
        return "url"
    kinds = {"integer": "int", "number": "float", "boolean": "bool"}
    return kinds.get(str(schema.get("type")), "str")


def report_fields() -> dict[str, Value]:
    """A seeded progress report's fields: the report's, less the indicator value (a seed
    gives indicator values as records of their own); the date is the record's key."""
    schema = ProgressFields.model_json_schema()
    required = {*schema.get("required", []), "reported_on"}
    return {
        name: Value(_kind(prop), name in required)
        for name, prop in schema["properties"].items()
        if name != "indicator_value"
    }


@dataclass(frozen=True)
class Ref:
    """A field naming another record by natural key; stored as that record's id."""

    target: str
    column: str
    required: bool = False


@dataclass(frozen=True)
class Spec:
    model: type
    key: tuple[str, ...]
    fields: dict[str, Value | Ref]
    defaults: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # Which stored rows a record may stand for, besides its key.
    only: Callable[[], sa.ColumnElement[bool]] | None = None
    # How new rows are inserted, where not by the ORM (progress: by the ledger).
    insert: Callable[[list[dict[str, Any]]], list[int]] | None = None


def _milestone_defaults(values: dict[str, Any]) -> dict[str, Any]:
    return {"planned_on": values.get("due_on")}


SOURCE = Value("url", column="source_url")
PATH_SHAPES = {
    "plan": "city/plan",
    "action": "city/plan/action",
    "indicator": "city/plan/action/indicator",
}

# In dependency order: a record may refer only to kinds above it.
SPECS: dict[str, Spec] = {
    "programmes": Spec(
        Programme,
        ("slug",),
        {
            "slug": Value("str", True),
            "name": Value("str", True),
            "starts_on": Value("date", True),
            "ends_on": Value("date", True),
            "declared_core_cities": Value("int"),
            "declared_mentor_cities": Value("int"),
            "lgd_target": Value("int"),
            "description": Value("str"),
            "source": SOURCE,
        },
    ),
    "phases": Spec(
        Phase,
        ("programme_id", "slug"),
        {
            "programme": Ref("programme", "programme_id", True),
            "slug": Value("str", True),
            "name": Value("str", True),
            "position": Value("int", True),
            "starts_on": Value("date"),
            "ends_on": Value("date"),
            "description": Value("str"),
            "source": SOURCE,
        },
    ),
    "sectors": Spec(
        Sector,
        ("slug",),
        {
            "slug": Value("str", True),
            "name": Value("str", True),
            "tier": Value("str", True),
            "has_expert": Value("bool"),
            "source": SOURCE,
        },
    ),
    "themes": Spec(
        Theme,
        ("slug",),
        {"slug": Value("str", True), "name": Value("str", True), "source": SOURCE},
    ),
    "cities": Spec(
        City,
        ("slug",),
        {
            "slug": Value("str", True),
            "name": Value("str", True),
            "local_name": Value("str"),
            "kind": Value("str"),
            "country": Value("str", True),
            "latitude": Value("float"),
            "longitude": Value("float"),
            "note": Value("str"),
            "source": SOURCE,
        },
    ),
    "programme_figures": Spec(
        ProgrammeFigure,
        ("programme_id", "slug"),
        {
            "programme": Ref("programme", "programme_id", True),
            "slug": Value("str", True),
            "kind": Value("str", True),
            "value": Value("int", True),
            "lower_bound": Value("bool", column="is_lower_bound"),
            "city": Ref("city", "city_id"),
            "stated_on": Value("date"),
            "date_precision": Value("str"),
            "note": Value("str"),
            "source": SOURCE,
        },
    ),
    "participations": Spec(
        Participation,
        ("programme_id", "city_id"),
        {
            "programme": Ref("programme", "programme_id", True),
            "city": Ref("city", "city_id", True),
            "role": Value("str", True),
            "joined_on": Value("date", True),
            "communications_ambassador": Value("bool", column="is_communications_ambassador"),
            "note": Value("str"),
            "source": SOURCE,
        },
    ),
    "mentorships": Spec(
        Mentorship,
        ("mentor_id", "mentee_id"),
        {
            "programme": Ref("programme", "programme_id", True),
            "mentor": Ref("participation", "mentor_id", True),
            "mentee": Ref("participation", "mentee_id", True),
            "since_on": Value("date", True),
            "ended_on": Value("date"),
            "sector": Ref("sector", "sector_id"),
            "theme": Ref("theme", "theme_id"),
            "focus": Value("str"),
            "source": SOURCE,
        },
    ),
    "plans": Spec(
        Plan,
        ("city_id", "slug"),
        {
            "city": Ref("city", "city_id", True),
            "programme": Ref("programme", "programme_id"),
            "slug": Value("str", True),
            "kind": Value("str", True),
            "title": Value("str", True),
            "local_title": Value("str"),
            "summary": Value("str"),
            "status": Value("str"),
            "started_on": Value("date"),
            "signed_on": Value("date"),
            "governance": Value("str"),
            "actions_summary": Value("str"),
            "integrated_goals": Value("str"),
            "partnerships": Value("str"),
            "source": SOURCE,
        },
    ),
    "plan_targets": Spec(
        PlanTarget,
        ("plan_id", "slug"),
        {
            "plan": Ref("plan", "plan_id", True),
            "slug": Value("str", True),
            "title": Value("str", True),
            "target_year": Value("int", True),
            "value": Value("float"),
            "unit": Value("str"),
            "baseline_year": Value("int"),
            "note": Value("str"),
            "source": SOURCE,
        },
    ),
    "partners": Spec(
        Partner,
        ("plan_id", "name"),
        {
            "plan": Ref("plan", "plan_id", True),
            "name": Value("str", True),
            "kind": Value("str", True),
            "commitment": Value("str"),
            "signed_on": Value("date"),
            "source": SOURCE,
        },
    ),
    "actions": Spec(
        Action,
        ("plan_id", "slug"),
        {
            "plan": Ref("plan", "plan_id", True),
            "slug": Value("str", True),
            "position": Value("int"),
            "title": Value("str", True),
            "local_title": Value("str"),
            "description": Value("str"),
            "sector": Ref("sector", "sector_id"),
            "theme": Ref("theme", "theme_id"),
            "lead_organisation": Value("str"),
            "starts_on": Value("date"),
            "due_on": Value("date"),
            "status": Value("str"),
            "percent_complete": Value("int"),
            "last_reported_on": Value("date"),
            **{name: Value("str") for name in CODED},
            "start_year": Value("int"),
            "end_year": Value("int"),
            **{name: Value("float") for name in IMPACTS},
            "source": SOURCE,
        },
    ),
    "action_costs": Spec(
        ActionCost,
        ("action_id", "year", "funding_source"),
        {
            "action": Ref("action", "action_id", True),
            "year": Value("int", True),
            "funding_source": Value("str", True),
            "planned_eur": Value("float"),
            "spent_eur": Value("float"),
        },
    ),
    "indicators": Spec(
        Indicator,
        ("action_id", "slug"),
        {
            "action": Ref("action", "action_id", True),
            "slug": Value("str", True),
            "name": Value("str", True),
            "local_name": Value("str"),
            "unit": Value("str", True),
            "baseline_value": Value("float"),
            "baseline_on": Value("date"),
            "target_value": Value("float"),
            "target_on": Value("date"),
            "description": Value("str"),
            "source": SOURCE,
        },
    ),
    "indicator_values": Spec(
        IndicatorValue,
        ("indicator_id", "measured_on"),
        {
            "indicator": Ref("indicator", "indicator_id", True),
            "measured_on": Value("date", True),
            "value": Value("float", True),
            "note": Value("str"),
            "source": SOURCE,
        },
    ),
    "milestones": Spec(
        Milestone,
        ("slug",),
        {
            "slug": Value("str", True),
            "programme": Ref("programme", "programme_id"),
            "plan": Ref("plan", "plan_id"),
            "action": Ref("action", "action_id"),
            "title": Value("str", True),
            "local_title": Value("str"),
            "description": Value("str"),
            "location": Value("str"),
            "planned_on": Value("date"),
            "due_on": Value("date", True),
            "ends_on": Value("date"),
            "date_precision": Value("str"),
            "completed_on": Value("date"),
            "lgd_step": Value("str"),
            "source": SOURCE,
        },
        defaults=_milestone_defaults,
    ),
    "progress_updates": Spec(
        ProgressUpdate,
        ("action_id", "reported_on"),
        {
            "action": Ref("action", "action_id", True),
            **report_fields(),
            "source": SOURCE,
        },
        # A seed record is an original report, never a correction someone made of it since:
        # a correction shares its original's date, and must not be mistaken for it.
        only=lambda: ProgressUpdate.corrects_id.is_(None),
        insert=ledger.insert_rows,
    ),
}
