"""Each mentee's figures for the mentorships page, as SQL: its late deal steps, its other
overdue milestones and its last update, and the severity points they give. For the whole
programme on PostgreSQL they are computed once, grouped by city over every overdue milestone,
which there is several times quicker than visiting each mentee; elsewhere (SQLite, one mentor's
mentees) each mentee's plans and overdue milestones are walked once and grouped (at 10,000
cities 15 % quicker than three lookups per mentee). A single pair's figures are looked up."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import City, Milestone, Plan, Programme
from tracker.queries.mentorships import (
    MOST_QUIET_POINTS,
    POINTS_PER_LATE_STEP,
    POINTS_PER_OVERDUE_MILESTONE,
    QUIET_DAYS_PER_POINT,
    current_pairs,
)


def looked_up(city_id: Any, today: date) -> dict[str, Any]:
    """Correlated figures of the city `city_id` (a column): its late deal steps, its other
    overdue milestones and its last update."""
    overdue = sa.and_(Milestone.completed_on.is_(None), Milestone.due_on < today)

    def milestones(step: bool) -> Any:
        is_step = Milestone.lgd_step.is_not(None) if step else Milestone.lgd_step.is_(None)
        return (
            sa.select(sa.func.count(Milestone.id))
            .join(Milestone.plan)
            .where(Plan.city_id == city_id, overdue, is_step)
            .scalar_subquery()
        )

    last = Plan.city_last_report(city_id)
    return {"late_steps": milestones(True), "late": milestones(False), "last": last}


def points(late_steps: Any, late: Any, last: Any, today: date, stale_days: int) -> Any:
    """A mentee's points (as `mentorships.POINTS` counts them) from its figures' columns."""
    # Going quiet: p points once the last update is older than stale + 1 + (p - 1) * 30 days.
    quiet = sa.case(
        (last.is_(None), MOST_QUIET_POINTS),
        *(
            (
                last <= today - timedelta(days=stale_days + 1 + (p - 1) * QUIET_DAYS_PER_POINT),
                p,
            )
            for p in range(MOST_QUIET_POINTS, 0, -1)
        ),
        else_=0,
    )
    return POINTS_PER_LATE_STEP * late_steps + POINTS_PER_OVERDUE_MILESTONE * late + quiet


def grouped(mentees: Any, today: date) -> Any:
    """Every mentee's figures (as `looked_up` gives them) from two aggregates the database
    computes once each, grouped by city over the overdue milestones (ix_milestones_open_due) and
    the plans' kept last reports, rather than three lookups per mentee."""
    overdue = (
        sa.select(
            Plan.city_id.label("city_id"),
            sa.func.count(Milestone.lgd_step).label("steps"),
            sa.func.count(sa.case((Milestone.lgd_step.is_(None), 1))).label("others"),
        )
        .join(Milestone.plan)
        .where(Milestone.completed_on.is_(None), Milestone.due_on < today)
        .group_by(Plan.city_id)
        .subquery("overdue")
    )
    last = (
        sa.select(Plan.city_id.label("city_id"), sa.func.max(Plan.last_reported_on).label("last"))
        .group_by(Plan.city_id)
        .subquery("last_report")
    )
    return (
        sa.select(
            mentees.c.mentee.label("city_id"),
            sa.func.coalesce(overdue.c.steps, 0).label("late_steps"),
            sa.func.coalesce(overdue.c.others, 0).label("late"),
            last.c.last.label("last"),
        )
        .outerjoin(overdue, overdue.c.city_id == mentees.c.mentee)
        .outerjoin(last, last.c.city_id == mentees.c.mentee)
    )


def joined(mentees: Any, today: date) -> Any:
    """Every mentee's figures (as `looked_up` gives them) in one pass over each mentee's plans
    and their overdue milestones (ix_plans_city_reported, ix_milestones_plan_open), grouped by
    mentee: one walk per mentee instead of three lookups."""
    overdue = sa.and_(
        Milestone.plan_id == Plan.id, Milestone.completed_on.is_(None), Milestone.due_on < today
    )
    return (
        sa.select(
            mentees.c.mentee.label("city_id"),
            sa.func.count(Milestone.lgd_step).label("late_steps"),
            (sa.func.count(Milestone.id) - sa.func.count(Milestone.lgd_step)).label("late"),
            sa.func.max(Plan.last_reported_on).label("last"),
        )
        .select_from(mentees)
        .outerjoin(Plan, Plan.city_id == mentees.c.mentee)
        .outerjoin(Milestone, overdue)
        .group_by(mentees.c.mentee)
    )


def scored_mentees(programme: Programme, today: date, stale_days: int, mentor: int | None) -> Any:
    """Each current mentee (of `mentor` only, when given) with its figures and points: the
    figures computed once per query however often the query uses them: grouped once for the
    whole programme on PostgreSQL, else walked per mentee (see the module's docstring)."""
    pairs, mentor_part, _mentee = current_pairs(programme)
    if mentor is not None:
        pairs = pairs.where(mentor_part.city_id == mentor)
    mentees = pairs.with_only_columns(pairs.selected_columns.mentee).distinct().subquery()
    whole = mentor is None and db.session.get_bind().dialect.name == "postgresql"
    figures = (grouped if whole else joined)(mentees, today).cte("figures")
    figures = figures.prefix_with("MATERIALIZED")
    points_of = points(figures.c.late_steps, figures.c.late, figures.c.last, today, stale_days)
    return (
        sa.select(figures, City.slug, City.name, points_of.label("points"))
        .join(City, City.id == figures.c.city_id)
        .subquery("scored")
    )
