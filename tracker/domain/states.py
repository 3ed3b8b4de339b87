"""A milestone's state, derived from its due date, its completion date and today."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal, get_args

MilestoneState = Literal["done", "overdue", "due_soon", "upcoming"]
MILESTONE_STATES: tuple[str, ...] = get_args(MilestoneState)


def milestone_state(due_on: date, completed_on: date | None, today: date, soon_days: int) -> str:
    if completed_on is not None:
        return "done"
    if due_on < today:
        return "overdue"
    if due_on <= today + timedelta(days=soon_days):
        return "due_soon"
    return "upcoming"
