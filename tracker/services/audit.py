"""The audit trail, written in the same transaction as the change it records, and the
versioned-update helper every edit goes through."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.domain.errors import Conflict
from tracker.domain.permissions import Actor
from tracker.domain.values import jsonable
from tracker.extensions import db
from tracker.models import AuditEvent


def record_event(
    actor: Actor | None,
    verb: str,
    entity_type: str,
    entity_id: Any = None,
    *,
    actor_label: str | None = None,
    city_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        user_id=actor.id if actor else None,
        actor=actor.email if actor else (actor_label or "system"),
        verb=verb,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        city_id=city_id,
        before={k: jsonable(v) for k, v in before.items()} if before is not None else None,
        after={k: jsonable(v) for k, v in after.items()} if after is not None else None,
    )
    db.session.add(event)
    return event


def record_own(
    user: Any, verb: str, *, before: dict[str, Any], after: dict[str, Any]
) -> AuditEvent:
    """An event of a person's own account (signing in and out, their settings)."""
    return record_event(
        user, verb, "user", user.id, city_id=user.city_id, before=before, after=after
    )


def check_version(obj: Any, version: int | None, changes: dict[str, Any], entity_type: str) -> None:
    """Refuse a save based on an old version with a Conflict naming what differs now from what
    the user sent, and who changed the record last; nothing is written. (A save racing
    another past this check is caught by the version column itself at flush time.)"""
    if version is not None and version == obj.version:
        return
    differing = {k: jsonable(getattr(obj, k)) for k, v in changes.items() if getattr(obj, k) != v}
    last = db.session.execute(
        sa.select(AuditEvent.actor, AuditEvent.created_at)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(obj.id))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    raise Conflict(
        _("Someone else saved this record after you opened it; nothing of yours was stored."),
        changes=differing,
        mine={k: jsonable(v) for k, v in changes.items()},
        current={k: jsonable(getattr(obj, k)) for k in changes},
        version=obj.version,
        changed_by=last.actor if last else None,
        changed_at=last.created_at if last else None,
    )


def update_versioned(
    actor: Actor,
    obj: Any,
    *,
    version: int | None,
    changes: dict[str, Any],
    verb: str,
    entity_type: str,
    city_id: int | None,
) -> dict[str, Any]:
    """Apply `changes` if `version` is the record's current one, and audit what changed."""
    check_version(obj, version, changes, entity_type)
    changed = {k: v for k, v in changes.items() if getattr(obj, k) != v}
    if not changed:
        return {}
    apply_recorded(
        actor, obj, changed, verb=verb, entity_type=entity_type, city_id=city_id, versioned=True
    )
    return changed


def apply_recorded(
    actor: Actor,
    obj: Any,
    changes: dict[str, Any],
    *,
    verb: str,
    entity_type: str,
    city_id: int | None,
    noted: dict[str, Any] | None = None,
    versioned: bool = False,
) -> None:
    """Set `changes` on `obj` and record the event: the values before and after, what else
    the change says (`noted`), and the record's new version when it has one that counts."""
    before = {k: getattr(obj, k) for k in changes}
    for key, value in changes.items():
        setattr(obj, key, value)
    db.session.flush()
    after = {**changes, **(noted or {})}
    if versioned:
        after["version"] = obj.version
    record_event(actor, verb, entity_type, obj.id, city_id=city_id, before=before, after=after)
