"""Milestone state, derived from the due date, the completion date and today."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tracker.models import Milestone

MILESTONE_STATES = ("done", "overdue", "due_soon", "upcoming")


def milestone_state(due_on: date, completed_on: date | None, today: date, soon_days: int) -> str:
    if completed_on is not None:
        return "done"
    if due_on < today:
        return "overdue"
    if due_on <= today + timedelta(days=soon_days):
        return "due_soon"
    return "upcoming"


def state_expression(today: date, soon_days: int) -> sa.ColumnElement[str]:
    """The same rule as `milestone_state`, as SQL, so dashboards can group by it."""
    return sa.case(
        (Milestone.completed_on.is_not(None), "done"),
        (Milestone.due_on < today, "overdue"),
        (Milestone.due_on <= today + timedelta(days=soon_days), "due_soon"),
        else_="upcoming",
    )
