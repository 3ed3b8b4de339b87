"""Each city's open milestones overdue on a day (not completed, due before it): deal steps and
others. The database keeps them per city as of a stored day (`CityOverdue`, migration 0024);
the milestones due between that day and the one asked for are added (or, for an earlier day,
taken away), read through `ix_milestones_open_due`: a day's worth while `flask prune` keeps the
stored day current, so a page's figures do not walk every city's milestones."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.models import CityOverdue, Milestone, OverdueDay, Plan


def due_between(low: Any, high: Any, sign: Any = 1) -> sa.Select[Any]:
    """Per city, its plans' open milestones due from `low` up to (not including) `high`: deal
    steps and others, each times `sign`."""
    steps = sa.func.count(Milestone.lgd_step)
    return (
        sa.select(
            Plan.city_id.label("city_id"),
            (sign * steps).label("steps"),
            (sign * (sa.func.count(Milestone.id) - steps)).label("others"),
        )
        .join(Milestone.plan)
        .where(Milestone.completed_on.is_(None), Milestone.due_on >= low, Milestone.due_on < high)
        .group_by(Plan.city_id)
    )


def _between(today: date) -> Any:
    """Per city, the open milestones due from the stored day up to `today` (counted +1), or
    from `today` up to the stored day (counted -1): what turns the kept counts into today's."""
    day = sa.select(OverdueDay.day).scalar_subquery()
    later = day < today
    return due_between(
        sa.case((later, day), else_=today),
        sa.case((later, today), else_=day),
        sa.case((later, 1), else_=-1),
    ).subquery("overdue_between")


def joined(select: sa.Select[Any], city_id: Any, today: date) -> tuple[sa.Select[Any], Any, Any]:
    """`select` (whose rows name a city in the column `city_id`) joined to each city's overdue
    milestones on `today`: the select, and the expressions of its late deal steps and its other
    overdue milestones."""
    kept = aliased(CityOverdue)
    between = _between(today)
    joined = select.outerjoin(kept, kept.city_id == city_id).outerjoin(
        between, between.c.city_id == city_id
    )
    zero = sa.literal(0)

    def total(kept_count: Any, extra: Any) -> Any:
        return sa.func.coalesce(kept_count, zero) + sa.func.coalesce(extra, zero)

    return (
        joined,
        total(kept.steps, between.c.steps),
        total(kept.others, between.c.others),
    )
