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
    Participation,
    Plan,
    Programme,
    Sector,
)
from tracker.queries.mentee_figures import looked_up, points, scored_mentees
from tracker.queries.mentorships import Need, Pair, current_pairs

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


def _severity(scored: Any) -> tuple[Any, ...]:
    """Most severe first: by points, late steps, days without an update, overdue milestones,
    name."""
    return (
        scored.c.points.desc(),
        scored.c.late_steps.desc(),
        scored.c.last.is_not(None),
        scored.c.last,
        scored.c.late.desc(),
        sa.func.lower(scored.c.name),
        scored.c.city_id,
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
    most severe first: the first `limit` of them (None: all), how many there are, and how many
    mentees."""
    needs, count, total, _loads = _needing(
        programme, today, stale_days, threshold, mentor=mentor, limit=limit, with_loads=False
    )
    return needs, count, total


# The columns of `_needing`'s one statement, each part filling its own (the rest NULL).
_COLUMNS = {
    "kind": sa.String,
    "rank": sa.Integer,
    "city_id": sa.Integer,
    "slug": sa.String,
    "name": sa.String,
    "late_steps": sa.Integer,
    "late": sa.Integer,
    "last": sa.Date,
    "points": sa.Integer,
    "mentor": sa.String,
    "n": sa.Integer,
    "h": sa.Integer,
}


def _part(kind: str, source: Any, **columns: Any) -> sa.Select[Any]:
    """One part of `_needing`'s statement: its `kind`, its columns, NULL for the others (typed
    for the result, not cast: SQLite would turn a date cast to DATE into a number)."""
    values = {"kind": sa.literal(kind, sa.String), **columns}
    return sa.select(
        *(
            (values[name] if name in values else sa.type_coerce(sa.null(), kind_of)).label(name)
            for name, kind_of in _COLUMNS.items()
        )
    ).select_from(source)


def _needing(
    programme: Programme,
    today: date,
    stale_days: int,
    threshold: int,
    *,
    mentor: int | None,
    limit: int | None,
    with_loads: bool,
) -> tuple[list[Need], int, int, list[Load]]:
    """`needing`, and (`with_loads`) each mentor's load: one statement whose parts all read one
    computation of every mentee's figures, told apart by their `kind`."""
    scored = scored_mentees(programme, today, stale_days, mentor)
    over = scored.c.points >= threshold
    rank = sa.func.row_number().over(order_by=_severity(scored))
    shown = sa.select(scored, rank.label("rank")).where(over).order_by(*_severity(scored))
    if limit is not None:
        shown = shown.limit(limit)
    need = shown.subquery("need")
    counted = (
        sa.select(sa.func.count().label("n"), sa.func.count(sa.case((over, 1))).label("h"))
        .select_from(scored)
        .subquery("counted")
    )
    parts = [
        _part(
            "need",
            need,
            **{name: need.c[name] for name in _COLUMNS if name not in ("kind", "mentor", "n", "h")},
        ),
        _part("count", counted, n=counted.c.n, h=counted.c.h),
    ]
    if with_loads:
        load = _loads(programme, scored, threshold).subquery("load")
        parts.append(_part("load", load, mentor=load.c.mentor, n=load.c.n, h=load.c.h))
    every = sa.union_all(*parts).subquery("every")
    rows = db.session.execute(sa.select(every).order_by(every.c.kind, every.c.rank)).all()
    needs = [r for r in rows if r.kind == "need"]
    (counts,) = [r for r in rows if r.kind == "count"]
    names = _mentor_names(programme, mentor, [r.city_id for r in needs])
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
            for r in needs
        ],
        int(counts.h),
        int(counts.n),
        [Load(r.mentor, int(r.n), int(r.h)) for r in rows if r.kind == "load"],
    )


def _mentor_names(
    programme: Programme, mentor: int | None, mentees: list[int]
) -> dict[int, list[str]]:
    """Each of these mentees' current mentors (only `mentor`, when given), by name."""
    pairs, mentor_part, mentee_part = current_pairs(programme)
    if mentor is not None:
        pairs = pairs.where(mentor_part.city_id == mentor)
    mentor_city = aliased(City)
    names: dict[int, list[str]] = {}
    for mentee, name in db.session.execute(
        pairs.with_only_columns(mentee_part.city_id, mentor_city.name)
        .join(mentor_city, mentor_city.id == mentor_part.city_id)
        .where(mentee_part.city_id.in_(mentees))
        .order_by(mentor_city.name)
    ):
        names.setdefault(mentee, []).append(name)
    return names


def _loads(programme: Programme, scored: Any, threshold: int) -> sa.Select[Any]:
    """Each mentor's current mentees and how many of them need help (one row per mentor)."""
    pairs, mentor_part, mentee_part = current_pairs(programme)
    mentor_city = aliased(City)
    mentee = mentee_part.city_id
    helped = sa.case((scored.c.points >= threshold, mentee))
    return (
        pairs.with_only_columns(
            mentor_city.name.label("mentor"),
            sa.func.count(sa.distinct(mentee)).label("n"),
            sa.func.count(sa.distinct(helped)).label("h"),
        )
        .join(mentor_city, mentor_city.id == mentor_part.city_id)
        .join(scored, scored.c.city_id == mentee)
        .group_by(mentor_city.id, mentor_city.name)
    )


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

    figures = looked_up(mentee_city.id, today)
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
            points(figures["late_steps"], figures["late"], figures["last"], today, stale_days),
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
    needs, needing_count, mentees, loads = _needing(
        programme,
        today,
        stale_days,
        threshold,
        mentor=None,
        limit=None if window is None else NEEDING_SHOWN,
        with_loads=True,
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
        loads,
    )
