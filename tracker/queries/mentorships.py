"""Mentorships read: each pair with its mentee's state, and the mentees that need help."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.cache import remembered
from tracker.extensions import db
from tracker.models import (
    Action,
    City,
    Mentorship,
    Milestone,
    Participation,
    Plan,
    Programme,
    Sector,
)

# Severity points of a mentee, from the three signs a mentor can act on.
POINTS_PER_LATE_STEP = 2


POINTS_PER_OVERDUE_MILESTONE = 1


QUIET_DAYS_PER_POINT = 30  # after the staleness window, a point per this many days...


MOST_QUIET_POINTS = 3  # ...up to this many


POINTS = {
    "late_step": POINTS_PER_LATE_STEP,
    "overdue": POINTS_PER_OVERDUE_MILESTONE,
    "quiet_days": QUIET_DAYS_PER_POINT,
    "most_quiet": MOST_QUIET_POINTS,
}


@dataclass
class Pair:
    id: int
    version: int
    mentor_slug: str
    mentor_name: str
    mentee_slug: str
    mentee_name: str
    since_on: date
    ended_on: date | None
    focus: str | None
    sector: str | None  # the focus sector's slug
    is_demo: bool
    mentee_progress: float | None
    mentee_stale: int
    mentee_late: int  # overdue milestones of its plans that are not deal steps
    mentee_late_steps: int = 0
    mentee_last_update: date | None = None
    mentee_actions: int = 0  # the mentee's actions, and those that reported a percent:
    mentee_reporting: int = 0  # the base of mentee_progress


def pairs(programme: Programme, today: date, stale_days: int) -> list[Pair]:
    mentor_part, mentee_part = aliased(Participation), aliased(Participation)
    mentor_city, mentee_city = aliased(City), aliased(City)
    cutoff = today - timedelta(days=stale_days)
    open_action = sa.or_(Action.status.is_(None), Action.status.not_in(("done", "cancelled")))
    per_city = (
        sa.select(
            Plan.city_id,
            sa.func.avg(Action.percent_complete).label("progress"),
            sa.func.sum(
                sa.case(
                    (
                        sa.and_(
                            open_action,
                            sa.or_(
                                Action.last_reported_on.is_(None), Action.last_reported_on < cutoff
                            ),
                        ),
                        1,
                    ),
                    else_=0,
                )
            ).label("stale"),
            sa.func.max(Action.last_reported_on).label("last_update"),
            sa.func.count(Action.id).label("actions"),
            sa.func.count(Action.percent_complete).label("reporting"),
        )
        .join(Action.plan)
        .group_by(Plan.city_id)
        .subquery()
    )
    is_step = Milestone.lgd_step.is_not(None)
    late = (
        sa.select(
            Plan.city_id,
            sa.func.sum(sa.case((is_step, 0), else_=1)).label("late"),
            sa.func.sum(sa.case((is_step, 1), else_=0)).label("late_steps"),
        )
        .join(Milestone.plan)
        .where(Milestone.completed_on.is_(None), Milestone.due_on < today)
        .group_by(Plan.city_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            Mentorship.id,
            Mentorship.version,
            mentor_city.slug,
            mentor_city.name,
            mentee_city.slug,
            mentee_city.name,
            Mentorship.since_on,
            Mentorship.ended_on,
            Mentorship.focus,
            Sector.slug,
            Mentorship.is_demo,
            per_city.c.progress,
            per_city.c.stale,
            late.c.late,
            late.c.late_steps,
            per_city.c.last_update,
            per_city.c.actions,
            per_city.c.reporting,
        )
        .join(mentor_part, Mentorship.mentor_id == mentor_part.id)
        .join(mentee_part, Mentorship.mentee_id == mentee_part.id)
        .join(mentor_city, mentor_part.city_id == mentor_city.id)
        .join(mentee_city, mentee_part.city_id == mentee_city.id)
        .outerjoin(Sector, Mentorship.sector_id == Sector.id)
        .outerjoin(per_city, per_city.c.city_id == mentee_city.id)
        .outerjoin(late, late.c.city_id == mentee_city.id)
        .where(Mentorship.programme_id == programme.id)
        .order_by(mentor_city.name, mentee_city.name)
    )
    return [
        Pair(
            row.id,
            row.version,
            row[2],
            row[3],
            row[4],
            row[5],
            row.since_on,
            row.ended_on,
            row.focus,
            row[9],
            row.is_demo,
            float(row.progress) if row.progress is not None else None,
            int(row.stale or 0),
            int(row.late or 0),
            int(row.late_steps or 0),
            row.last_update,
            int(row.actions or 0),
            int(row.reporting or 0),
        )
        for row in rows
    ]


@dataclass
class Need:
    """A mentee's severity: its points and what they come from."""

    slug: str
    name: str
    mentors: list[str]
    late_steps: int
    overdue: int
    quiet_days: int | None  # days since its last update; None if it never reported
    points: int

    def over(self, threshold: int) -> bool:
        return self.points >= threshold


def quiet_points(quiet_days: int | None, stale_days: int) -> int:
    """Points for going quiet: none within the staleness window, then one per
    QUIET_DAYS_PER_POINT days begun, at most MOST_QUIET_POINTS (never reported: the most)."""
    if quiet_days is None:
        return MOST_QUIET_POINTS
    if quiet_days <= stale_days:
        return 0
    begun = (quiet_days - stale_days - 1) // QUIET_DAYS_PER_POINT + 1
    return min(MOST_QUIET_POINTS, begun)


def needs(pairs: list[Pair], today: date, stale_days: int) -> list[Need]:
    """Each current mentee once (with all its mentors), the most severe first: by points,
    then late steps, then days without an update, then overdue milestones, then name."""
    by_mentee: dict[str, Need] = {}
    for p in pairs:
        if p.ended_on is not None:
            continue
        if p.mentee_slug in by_mentee:
            by_mentee[p.mentee_slug].mentors.append(p.mentor_name)
            continue
        quiet = (today - p.mentee_last_update).days if p.mentee_last_update else None
        by_mentee[p.mentee_slug] = Need(
            p.mentee_slug,
            p.mentee_name,
            [p.mentor_name],
            p.mentee_late_steps,
            p.mentee_late,
            quiet,
            POINTS_PER_LATE_STEP * p.mentee_late_steps
            + POINTS_PER_OVERDUE_MILESTONE * p.mentee_late
            + quiet_points(quiet, stale_days),
        )
    never = 10**9
    return sorted(
        by_mentee.values(),
        key=lambda n: (
            -n.points,
            -n.late_steps,
            -(never if n.quiet_days is None else n.quiet_days),
            -n.overdue,
            n.name.lower(),
        ),
    )


def mentor_choices(programme_id: int) -> list[tuple[str, str]]:
    """The cities that may be a mentor (the mentor role), remembered until the next write. A
    mentee is any city of the programme, typed (the service names one that is not)."""
    return remembered(
        f"mentors-{programme_id}",
        lambda: [
            (slug, name)
            for slug, name in db.session.execute(
                sa.select(City.slug, City.name)
                .join(Participation.city)
                .where(Participation.programme_id == programme_id, Participation.role == "mentor")
                .order_by(City.name)
            )
        ],
    )
