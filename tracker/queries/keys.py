"""Record keys in exports and imports: an action as "city/plan/action", a plan as "city/plan",
an update or a partner by the id it was imported with (else "update-<id>", "partner-<id>"); the
one place that writes and reads them."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import (
    Action,
    City,
    Partner,
    Plan,
    ProgressUpdate,
)


def action_ref(action: Action) -> str:
    return f"{action.plan.city.slug}/{action.plan.slug}/{action.slug}"


def plan_ref(plan: Plan) -> str:
    return f"{plan.city.slug}/{plan.slug}"


def update_ref(update: ProgressUpdate) -> str:
    return update.external_id or f"update-{update.id}"


def partner_ref(partner: Partner) -> str:
    return partner.external_id or f"partner-{partner.id}"


def lookup_action(ref: str) -> Action | None:
    parts = ref.split("/")
    if len(parts) != 3:
        return None
    return db.session.scalar(
        sa.select(Action)
        .join(Action.plan)
        .join(Plan.city)
        .where(City.slug == parts[0], Plan.slug == parts[1], Action.slug == parts[2])
    )


def lookup_plan(ref: str) -> Plan | None:
    parts = ref.split("/")
    if len(parts) != 2:
        return None
    return db.session.scalar(
        sa.select(Plan).join(Plan.city).where(City.slug == parts[0], Plan.slug == parts[1])
    )


def by_ref(model: Any, prefix: str, ref: str) -> Any:
    match = re.fullmatch(prefix + r"-(\d{1,9})", ref)
    if match:
        return db.session.get(model, int(match.group(1)))
    return db.session.scalar(sa.select(model).where(model.external_id == ref))
