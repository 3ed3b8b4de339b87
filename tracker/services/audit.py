"""Writing the audit trail, in the same transaction as the change it records."""

from __future__ import annotations

from typing import Any

from tracker.extensions import db
from tracker.models import AuditEvent, User


def record_event(
    actor: User | None,
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
        before=before,
        after=after,
    )
    db.session.add(event)
    return event
