"""Milestone state: one rule, in Python and in SQL, giving the same answers."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tracker.domain.states import milestone_state
from tracker.extensions import db
from tracker.models import Milestone
from tracker.queries.milestones import state_expression

TODAY = date(2024, 6, 1)


@pytest.mark.parametrize(
    ("due_on", "completed_on", "expected"),
    [
        (TODAY - timedelta(days=10), TODAY - timedelta(days=12), "done"),
        (TODAY + timedelta(days=90), TODAY, "done"),
        (TODAY - timedelta(days=1), None, "overdue"),
        (TODAY, None, "due_soon"),
        (TODAY + timedelta(days=30), None, "due_soon"),
        (TODAY + timedelta(days=31), None, "upcoming"),
    ],
)
def test_state_rule(due_on, completed_on, expected):
    assert milestone_state(due_on, completed_on, TODAY, 30) == expected


@pytest.mark.parametrize("today", [date(2024, 6, 1), date(2025, 5, 10), date(2026, 1, 1)])
def test_sql_expression_agrees_with_the_python_rule(app, today):
    rows = db.session.execute(
        sa.select(Milestone.due_on, Milestone.completed_on, state_expression(today, 30))
    ).all()
    assert rows
    for due_on, completed_on, state in rows:
        assert state == milestone_state(due_on, completed_on, today, 30)


def test_the_seeded_milestones_cover_every_state_over_time(app):
    seen = set()
    for today in (date(2024, 6, 1), date(2025, 5, 10), date(2026, 1, 1)):
        seen |= set(db.session.scalars(sa.select(state_expression(today, 30))))
    assert seen == {"done", "upcoming", "due_soon", "overdue"}
