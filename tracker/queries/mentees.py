"""The mentorships page, read by the database: the pairs a page at a time, the mentees that need
help (most severe first), each mentor's load and the counts above them. Each mentee's severity
points are computed in the query, so a page reads the rows it shows, whatever the number of
pairs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

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
from tracker.queries.mentorships import (
    MOST_QUIET_POINTS,
    POINTS_PER_LATE_STEP,
    POINTS_PER_OVERDUE_MILESTONE,
    QUIET_DAYS_PER_POINT,
    Need,
    Pair,
    current_pairs,
)

NEEDING_SHOWN = 100  # the page lists this many mentees needing help; the CSV has them all


@dataclass(frozen=True)
class Load:
    mentor: str
    mentees: int
    needing_help: int


@dataclass
class Board:
    pairs: list[Pair]  # the window of pairs asked for, by mentor then mentee
    pair_count: int
    any_demo: bool
    needing: list[Need]  # the first of those over the threshold, most severe first
    needing_count: int
    mentees: int  # current mentees
    loads: list[Load]


def _figures(city_id: Any, today: date) -> dict[str, Any]:
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


def _points(late_steps: Any, late: Any, last: Any, today: date, stale_days: int) -> Any:
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


def _scored(programme: Programme, today: date, stale_days: int, mentor: int | None) -> Any:
    """Each current mentee (of `mentor` only, when given) with its figures and points: the
    figures computed once per query however often the query uses them."""
    pairs, mentor_part, _mentee = current_pairs(programme)
    if mentor is not None:
        pairs = pairs.where(mentor_part.city_id == mentor)
    mentees = pairs.with_only_columns(pairs.selected_columns.mentee).distinct().subquery()
    figures = (
        sa.select(
            mentees.c.mentee.label("city_id"),
            *(value.label(name) for name, value in _figures(mentees.c.mentee, today).items()),
        )
        .cte("figures")
        .prefix_with("MATERIALIZED")
    )
    points = _points(figures.c.late_steps, figures.c.late, figures.c.last, today, stale_days)
    return (
        sa.select(figures, City.slug, City.name, points.label("points"))
        .join(City, City.id == figures.c.city_id)
        .subquery("scored")
    )


def needing(
    programme: Programme,
    today: date,
    stale_days: int,
    threshold: int,
    *,
    mentor: int | None = None,
    limit: int | None = NEEDING_SHOWN,
) -> tuple[list[Need], int, int]:
    """The current mentees (of `mentor`, a city id, when given) at `threshold` points or more,
    most severe first: by points, late steps, days without an update, overdue milestones,
    name; the first `limit` of them (None: all), how many there are, and how many mentees."""
    scored = _scored(programme, today, stale_days, mentor)
    over = scored.c.points >= threshold
    # The counts come along with the rows: one computation of every mentee's figures.
    counted = sa.select(sa.func.count()).select_from(scored).correlate(None)
    query = (
        sa.select(
            scored,
            counted.scalar_subquery().label("mentees"),
            counted.where(over).scalar_subquery().label("needing"),
        )
        .where(over)
        .order_by(
            scored.c.points.desc(),
            scored.c.late_steps.desc(),
            scored.c.last.is_not(None),
            scored.c.last,
            scored.c.late.desc(),
            sa.func.lower(scored.c.name),
            scored.c.city_id,
        )
    )
    if limit is not None:
        query = query.limit(limit)
    rows = db.session.execute(query).all()
    if rows:
        total, count = rows[0].mentees, rows[0].needing
    else:
        total, count = db.session.scalar(counted), 0
    pairs, mentor_part, mentee_part = current_pairs(programme)
    if mentor is not None:
        pairs = pairs.where(mentor_part.city_id == mentor)
    mentor_city = aliased(City)
    names: dict[int, list[str]] = {}
    for mentee, name in db.session.execute(
        pairs.with_only_columns(mentee_part.city_id, mentor_city.name)
        .join(mentor_city, mentor_city.id == mentor_part.city_id)
        .where(mentee_part.city_id.in_([r.city_id for r in rows]))
        .order_by(mentor_city.name)
    ):
        names.setdefault(mentee, []).append(name)
    return (
        [
            Need(
                r.slug,
                r.name,
                names.get(r.city_id, []),
                int(r.late_steps),
                int(r.late),
                (today - r.last).days if r.last is not None else None,
                int(r.points),
            )
            for r in rows
        ],
        int(count),
        int(total),
    )


def loads(programme: Programme, today: date, stale_days: int, threshold: int) -> list[Load]:
    """Each mentor's current mentees and how many of them need help (one row per mentor)."""
    scored = _scored(programme, today, stale_days, None)
    pairs, mentor_part, mentee_part = current_pairs(programme)
    mentor_city = aliased(City)
    mentee = mentee_part.city_id
    helped = sa.case((scored.c.points >= threshold, mentee))
    rows = db.session.execute(
        pairs.with_only_columns(
            mentor_city.name, sa.func.count(sa.distinct(mentee)), sa.func.count(sa.distinct(helped))
        )
        .join(mentor_city, mentor_city.id == mentor_part.city_id)
        .join(scored, scored.c.city_id == mentee)
        .group_by(mentor_city.id, mentor_city.name)
    )
    return [Load(name, int(n), int(h)) for name, n, h in rows]


def pairs(
    programme: Programme,
    today: date,
    stale_days: int,
    window: tuple[int, int] | None = None,
) -> tuple[list[Pair], int]:
    """The programme's pairs by mentor then mentee, each with its mentee's figures: the window
    (offset, limit) asked for (None: all of them), and how many pairs there are."""
    mentor_part, mentee_part = aliased(Participation), aliased(Participation)
    mentor_city, mentee_city = aliased(City), aliased(City)
    cutoff = today - timedelta(days=stale_days)
    percent = Action.percent_complete
    open_action = sa.or_(Action.status.is_(None), Action.status.not_in(("done", "cancelled")))
    stale = sa.and_(
        open_action, sa.or_(Action.last_reported_on.is_(None), Action.last_reported_on < cutoff)
    )

    def actions(value: Any) -> Any:
        return (
            sa.select(value).join(Action.plan).where(Plan.city_id == mentee_city.id)
        ).scalar_subquery()

    figures = _figures(mentee_city.id, today)
    where = Mentorship.programme_id == programme.id
    total = db.session.scalar(sa.select(sa.func.count(Mentorship.id)).where(where)) or 0
    query = (
        sa.select(
            Mentorship,
            mentor_city.slug,
            mentor_city.name,
            mentee_city.slug,
            mentee_city.name,
            Sector.slug,
            actions(sa.func.avg(percent)),
            actions(sa.func.sum(sa.case((stale, 1), else_=0))),
            figures["late"],
            figures["late_steps"],
            figures["last"],
            actions(sa.func.count(Action.id)),
            actions(sa.func.count(percent)),
            _points(figures["late_steps"], figures["late"], figures["last"], today, stale_days),
        )
        .join(mentor_part, Mentorship.mentor_id == mentor_part.id)
        .join(mentee_part, Mentorship.mentee_id == mentee_part.id)
        .join(mentor_city, mentor_part.city_id == mentor_city.id)
        .join(mentee_city, mentee_part.city_id == mentee_city.id)
        .outerjoin(Sector, Mentorship.sector_id == Sector.id)
        .where(where)
        .order_by(mentor_city.name, mentee_city.name, Mentorship.id)
    )
    if window is not None:
        query = query.offset(window[0]).limit(window[1])
    found = [
        Pair(
            m.id,
            m.version,
            mentor_slug,
            mentor_name,
            mentee_slug,
            mentee_name,
            m.since_on,
            m.ended_on,
            m.focus,
            sector,
            m.is_demo,
            float(progress) if progress is not None else None,
            int(stale_count or 0),
            int(late or 0),
            int(late_steps or 0),
            last,
            int(count or 0),
            int(reporting or 0),
            int(points or 0),
        )
        for (
            m,
            mentor_slug,
            mentor_name,
            mentee_slug,
            mentee_name,
            sector,
            progress,
            stale_count,
            late,
            late_steps,
            last,
            count,
            reporting,
            points,
        ) in db.session.execute(query)
    ]
    return found, total


def board(
    programme: Programme,
    today: date,
    stale_days: int,
    threshold: int,
    window: tuple[int, int] | None,
) -> Board:
    """Everything the mentorships page shows; `window` None reads every pair and every mentee
    needing help (the CSV)."""
    shown, count = pairs(programme, today, stale_days, window)
    needs, needing_count, mentees = needing(
        programme, today, stale_days, threshold, limit=None if window is None else NEEDING_SHOWN
    )
    any_demo = db.session.scalar(
        sa.select(
            sa.select(Mentorship.id)
            .where(Mentorship.programme_id == programme.id, Mentorship.is_demo.is_(True))
            .exists()
        )
    )
    return Board(
        shown,
        count,
        bool(any_demo),
        needs,
        needing_count,
        mentees,
        loads(programme, today, stale_days, threshold),
    )
