"""Mentorships read: the shapes of a pair and of a mentee that needs help, the severity
points (`queries.mentees` computes them in the database), and the cities that may mentor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.cache import remembered
from tracker.extensions import db
from tracker.models import City, Mentorship, Participation, Programme

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
    mentee_points: int = 0  # its severity (queries.mentees), for the mentee's state


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


def current_pairs(programme: Programme) -> tuple[Any, Any, Any]:
    """The programme's current pairs as (mentor, mentee) city ids, with the two aliases of
    their participations (to filter or join on either side)."""
    mentor_part, mentee_part = aliased(Participation), aliased(Participation)
    pairs = (
        sa.select(mentor_part.city_id.label("mentor"), mentee_part.city_id.label("mentee"))
        .select_from(Mentorship)
        .join(mentor_part, Mentorship.mentor_id == mentor_part.id)
        .join(mentee_part, Mentorship.mentee_id == mentee_part.id)
        .where(Mentorship.programme_id == programme.id, Mentorship.ended_on.is_(None))
    )
    return pairs, mentor_part, mentee_part


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
