"""The audit trail read: its entries filtered by who, what, which city and when, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from tracker.models import AuditEvent, City


@dataclass
class AuditFilter:
    city: str | None = None
    user: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def audit_query(filters: AuditFilter) -> sa.Select[Any]:
    query = sa.select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if filters.city:
        query = query.join(City, City.id == AuditEvent.city_id).where(City.slug == filters.city)
    if filters.user:
        query = query.where(AuditEvent.actor == filters.user.strip().lower())
    if filters.date_from:
        query = query.where(AuditEvent.created_at >= _start_of(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEvent.created_at < _start_of(filters.date_to + timedelta(days=1)))
    return query


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
