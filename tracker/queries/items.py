"""What each action, indicator and milestone of some cities states now: as reported, or as
the approved reports alone state it. A round's snapshot freezes this; the framework exports
read it too."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Action, ActionCost, Indicator, IndicatorValue, Milestone, Plan
from tracker.models.frameworks import FIELDS
from tracker.queries.milestones import with_owner_city
from tracker.queries.published import published_values

# (city id, kind, item id): one action, indicator or milestone of a city
Key = tuple[int, str, int]


def canonical(content: dict[str, Any]) -> str:
    """An item's content as stored and hashed: JSON with sorted keys and no spaces."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def current(cities: sa.Select[Any], *, approved: bool) -> dict[Key, dict[str, Any]]:
    """What each action, indicator and milestone of the `cities` (a select of their ids)
    states now: as reported, or (`approved`) as the approved reports alone state it. An
    action's state includes what the Covenant of Mayors and CDP ask (its costs too)."""
    items: dict[Key, dict[str, Any]] = {}
    status, percent, reported = Action.state_columns(approved)
    framework = [getattr(Action, name) for name in FIELDS]
    for row in db.session.execute(
        sa.select(
            Action.id,
            Plan.city_id,
            Action.title,
            Action.local_title,
            Action.is_demo,
            status,
            percent,
            reported,
            Action.description,
            Action.lead_organisation,
            *framework,
        )
        .join(Plan, Action.plan_id == Plan.id)
        .where(Plan.city_id.in_(cities))
    ):
        items[(row[1], "action", row[0])] = {
            "title": row[2],
            "local_title": row[3],
            "demo": row[4],
            "status": row[5],
            "percent": row[6],
            "reported_on": _day(row[7]),
            "description": row[8],
            "lead_organisation": row[9],
            **dict(zip(FIELDS, row[10:], strict=True)),
            "costs": [],
        }
    for city_id, action_id, year, source, planned, spent in db.session.execute(
        sa.select(
            Plan.city_id,
            ActionCost.action_id,
            ActionCost.year,
            ActionCost.funding_source,
            ActionCost.planned_eur,
            ActionCost.spent_eur,
        )
        .join(Action, ActionCost.action_id == Action.id)
        .join(Plan, Action.plan_id == Plan.id)
        .where(Plan.city_id.in_(cities))
        .order_by(ActionCost.action_id, ActionCost.year, ActionCost.funding_source)
    ):
        items[(city_id, "action", action_id)]["costs"].append([year, source, planned, spent])
    indicators = db.session.execute(
        sa.select(
            Indicator.id,
            Plan.city_id,
            Indicator.name,
            Indicator.local_name,
            Indicator.unit,
            Indicator.action_id,
            Indicator.is_demo,
        )
        .join(Action, Indicator.action_id == Action.id)
        .join(Plan, Action.plan_id == Plan.id)
        .where(Plan.city_id.in_(cities))
    ).all()
    latest = _latest_values([i[0] for i in indicators], approved=approved)
    for indicator_id, city_id, name, local_name, unit, action_id, demo in indicators:
        measured_on, value = latest.get(indicator_id, (None, None))
        items[(city_id, "indicator", indicator_id)] = {
            "title": name,
            "local_title": local_name,
            "demo": demo,
            "unit": unit,
            "action_id": action_id,
            "value": value,
            "measured_on": _day(measured_on),
        }
    due, completed = Milestone.state_columns(approved)
    query, owner = with_owner_city(
        sa.select(
            Milestone.id,
            Milestone.title,
            Milestone.local_title,
            Milestone.lgd_step,
            Milestone.is_demo,
            due,
            completed,
        )
    )
    for milestone_id, title, local, step, demo, due_on, completed_on, city_id in db.session.execute(
        query.add_columns(owner).where(owner.in_(cities))
    ):
        items[(city_id, "milestone", milestone_id)] = {
            "title": title,
            "local_title": local,
            "lgd_step": step,
            "demo": demo,
            "due_on": _day(due_on),
            "completed_on": _day(completed_on),
        }
    return items


def _latest_values(ids: list[int], *, approved: bool) -> dict[int, tuple[date, float]]:
    if not ids:
        return {}
    if approved:
        return {i: values[-1] for i, values in published_values(ids, facts_only=False).items()}
    latest: dict[int, tuple[date, float]] = {}
    for indicator_id, measured_on, value in db.session.execute(
        sa.select(IndicatorValue.indicator_id, IndicatorValue.measured_on, IndicatorValue.value)
        .where(IndicatorValue.indicator_id.in_(ids), IndicatorValue.effective())
        .order_by(IndicatorValue.measured_on, IndicatorValue.id)
    ):
        latest[indicator_id] = (measured_on, value)
    return latest
