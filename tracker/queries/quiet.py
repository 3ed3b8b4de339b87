"""Where reporting has gone quiet: per mentor group, the days since each city's last update,
as the five numbers of a box. The database ranks the cities; a few rows per group come back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Programme
from tracker.models.city import City, Participation
from tracker.models.plan import Plan
from tracker.queries.mentorships import current_pairs

NO_MENTOR = "no_mentor"
QUARTERS = range(5)  # the least, the quartiles and the largest: rank k * (n - 1) / 4


@dataclass
class QuietGroup:
    """A mentor city with its current mentees (or the cities with no mentor): how many cities,
    how many never reported, and the five numbers of the days since the others last did."""

    name: str
    cities: int = 0
    never: int = 0
    five: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)


def _members(programme: Programme) -> Any:
    """(group, city): each mentor city with itself and its current mentees; every other city
    that is not an observer in the group None (no mentor). A city with two mentors is in both."""
    current = current_pairs(programme)[0].cte("current_pairs")
    in_group = sa.union(sa.select(current.c.mentor), sa.select(current.c.mentee))
    alone = sa.select(sa.null(), Participation.city_id).where(
        Participation.programme_id == programme.id,
        Participation.role != "observer",
        Participation.city_id.not_in(in_group),
    )
    return sa.union_all(
        sa.select(current.c.mentor.label("mentor"), current.c.mentee.label("city_id")),
        sa.select(current.c.mentor, current.c.mentor).distinct(),
        alone,
    ).subquery("members")


def quiet_groups(programme: Programme, today: date) -> list[QuietGroup]:
    """Each mentor group's days without an update, the quietest (by median) first. One query:
    for each group, a row with its counts and only the rows at (or beside) the ranks of its
    five numbers come back."""
    members = _members(programme)
    last = Plan.city_last_report(members.c.city_id)
    # Each city's last update once (not once per use in the ranking and the counts).
    dated = sa.select(members.c.mentor, last.label("last")).cte("dated").prefix_with("MATERIALIZED")
    key = sa.func.coalesce(dated.c.mentor, 0)
    # Each group's cities and those that reported, grouped once; only the cities that reported
    # are ranked (one sort), from the latest update back.
    totals = (
        sa.select(
            key.label("key"),
            sa.func.max(dated.c.mentor).label("mentor"),
            sa.func.count(dated.c.last).label("reported"),
            sa.func.count().label("cities"),
        )
        .group_by(key)
        .cte("totals")
    )
    ranked = (
        sa.select(
            key.label("key"),
            dated.c.last,
            sa.func.row_number().over(partition_by=key, order_by=dated.c.last.desc()).label("rank"),
        )
        .where(dated.c.last.is_not(None))
        .subquery("ranked")
    )
    near = [  # 4 * (rank - 1) within 3 of k * (reported - 1): the ranks a rounding may pick
        sa.func.abs(4 * (ranked.c.rank - 1) - k * (totals.c.reported - 1)) <= 3 for k in QUARTERS
    ]
    groups = sa.select(
        totals.c.key,
        sa.null().label("last"),
        sa.literal(0).label("rank"),
        totals.c.reported,
        totals.c.cities,
        City.name,
    ).outerjoin(City, City.id == totals.c.mentor)
    # Each ranked row looks up its group's counts: an outer join (every group is in `totals`)
    # that SQLite takes in this order rather than indexing every ranked row to look them up.
    picked = (
        sa.select(ranked.c.key, ranked.c.last, ranked.c.rank, sa.null(), sa.null(), sa.null())
        .outerjoin(totals, totals.c.key == ranked.c.key)
        .where(sa.or_(*near))
    )
    found: dict[int, tuple[str, int, int, dict[int, int]]] = {}
    picks = []
    for group, day, rank, reported, cities, name in db.session.execute(
        sa.union_all(picked, groups)  # the picked rows first: their dates are read as dates
    ).all():
        if rank == 0:
            found[group] = (name or NO_MENTOR, reported, cities, {})
        else:
            picks.append((group, rank, day))
    for group, rank, day in picks:
        found[group][3][rank - 1] = (today - day).days
    result = []
    for label, reported, cities, days in found.values():
        ranks = [round(k / 4 * (reported - 1)) for k in QUARTERS]
        # Ranks run from the latest update back, so the days they give rise with the rank.
        least, lower, middle, upper, most = (days[r] for r in ranks) if reported else (0,) * 5
        result.append(
            QuietGroup(str(label), cities, cities - reported, (least, lower, middle, upper, most))
        )

    def median(g: QuietGroup) -> float:
        """The median the chart draws; a group that never reported is quietest."""
        return g.five[2] if g.cities > g.never else float("inf")

    return sorted(result, key=lambda g: (-median(g), -g.never, g.name.lower()))
