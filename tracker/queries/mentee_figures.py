"""Each mentee's figures for the mentorships page, as SQL: its late deal steps, its other
overdue milestones and its last update, and the severity points they give. The overdue
milestones come from the counts the database keeps per city (`queries.overdue`: a row per
mentee, not its milestones); the last update from its plans' kept last reports, grouped once for
the whole programme on PostgreSQL, else looked up per mentee. At 10,000 cities the figures took
21 ms on SQLite walking each mentee's milestones, 11.5 from the kept counts. A single pair's
figures are looked up."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import City, Milestone, Plan, Programme
from tracker.queries import overdue
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


def figures(mentees: Any, today: date, *, grouped: bool) -> Any:
    """Every mentee's figures (as `looked_up` gives them): its overdue milestones from the
    counts the database keeps per city (`queries.overdue`), its last update from its plans'
    kept last reports, grouped by city once (`grouped`: PostgreSQL's whole programme) or
    looked up per mentee (ix_plans_city_reported)."""
    mentee = mentees.c.mentee
    select, steps, others = overdue.joined(
        sa.select(mentee.label("city_id")).select_from(mentees), mentee, today
    )
    if not grouped:
        last: Any = Plan.city_last_report(mentee)
    else:
        reports = (
            sa.select(
                Plan.city_id.label("city_id"), sa.func.max(Plan.last_reported_on).label("last")
            )
            .group_by(Plan.city_id)
            .subquery("last_report")
        )
        select = select.outerjoin(reports, reports.c.city_id == mentee)
        last = reports.c.last
    return select.add_columns(steps.label("late_steps"), others.label("late"), last.label("last"))


def scored_mentees(programme: Programme, today: date, stale_days: int, mentor: int | None) -> Any:
    """Each current mentee (of `mentor` only, when given) with its figures and points: the
    figures computed once per query however often the query uses them (see `figures`)."""
    pairs, mentor_part, _mentee = current_pairs(programme)
    if mentor is not None:
        pairs = pairs.where(mentor_part.city_id == mentor)
    mentees = pairs.with_only_columns(pairs.selected_columns.mentee).distinct().subquery()
    whole = mentor is None and db.session.get_bind().dialect.name == "postgresql"
    kept = figures(mentees, today, grouped=whole).cte("figures").prefix_with("MATERIALIZED")
    points_of = points(kept.c.late_steps, kept.c.late, kept.c.last, today, stale_days)
    return (
        sa.select(kept, City.slug, City.name, points_of.label("points"))
        .join(City, City.id == kept.c.city_id)
        .subquery("scored")
    )
