"""The overview's headline counts (deals by status, cities by role) read an index alone, not
the programme's plans and participations: their cost does not grow with what each row holds.
Both engines: SQLite says "COVERING INDEX"; PostgreSQL, kept from reading the table whole,
plans an index-only scan of the index made for them (migration 0023)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import event

from tests.helpers import signed_in_client
from tracker.extensions import db

COUNTS = {
    "plans": ("GROUP BY plans.status", "ix_plans_programme_status"),
    "participations": ("GROUP BY participations.role", "ix_participations_programme_role"),
}


def overview_statements(client) -> list[tuple[str, Any]]:
    """The statements the overview runs rendered afresh, with their parameters."""
    statements: list[tuple[str, Any]] = []

    def seen(_conn, _cursor, statement, parameters, _context, executemany):
        if not executemany:
            statements.append((statement, parameters))

    engine = db.engines[None].engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert client.get("/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return statements


def read_through(statement: str, parameters: Any) -> str:
    """How the database plans to read `statement`, as one string."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return " | ".join(step[3] for step in plan)
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    try:
        found = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
        return json.dumps(found.scalar())
    finally:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = on")


def test_the_overviews_headline_counts_read_their_index_alone(demo_app):
    demo_app.config["PAGE_CACHE"] = False
    from tracker import cache

    cache.init_app(demo_app)
    try:
        client = signed_in_client(demo_app, "lead", email="headline@example.org")
        statements = overview_statements(client)
        for table, (grouping, index) in COUNTS.items():
            found = [(s, p) for s, p in statements if grouping in s]
            assert len(found) == 1, f"the overview counts {table} once"
            plan = read_through(*found[0])
            if db.session.connection().dialect.name == "sqlite":
                assert f"USING COVERING INDEX {index}" in plan, plan
            else:
                assert '"Index Only Scan"' in plan, plan
                assert index in plan, plan
    finally:
        demo_app.config["PAGE_CACHE"] = True
        cache.init_app(demo_app)
