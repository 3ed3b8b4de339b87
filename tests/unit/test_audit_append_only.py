"""The audit trail is append-only in the database itself: UPDATE, DELETE (and on PostgreSQL
TRUNCATE) on audit_events fail, whoever sends them, and the row stays as it was."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from tracker.extensions import db
from tracker.models import AuditEvent
from tracker.services.audit import record_event

STATEMENTS = {
    "update": "UPDATE audit_events SET actor = 'someone else' WHERE id = :id",
    "delete": "DELETE FROM audit_events WHERE id = :id",
}


@pytest.fixture
def event(app):
    row = record_event(None, "test.event", "test", 1, actor_label="test", before={}, after={})
    db.session.commit()
    return row.id


def test_changing_deleting_or_truncating_an_audit_event_fails(event, backend):
    statements = list(STATEMENTS.values())
    if backend == "postgresql":  # TRUNCATE fires no row trigger; a statement trigger refuses it
        statements.append("TRUNCATE audit_events")
    for statement in statements:
        savepoint = db.session.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(sa.text(statement), {"id": event})
        savepoint.rollback()
        assert db.session.get(AuditEvent, event).actor == "test", statement


def test_adding_events_still_works(event):
    record_event(None, "test.second", "test", 2, actor_label="test", before={}, after={})
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) >= 2
