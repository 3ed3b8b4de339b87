"""Two reporting rounds side by side, and a round in figures: what moved between them, per
city and programme-wide, read from their snapshots (queries/rounds.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.models import (
    Action,
    ActionCost,
    City,
    Mentorship,
    Participation,
    Partner,
    Plan,
    ReportingRound,
    RoundCity,
)
from tracker.queries.items import Key
from tracker.queries.rounds import snapshot


@dataclass
class Change:
    """An item whose state differs between two rounds (None: not in that round)."""

    key: Key
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def title(self) -> str:
        return str((self.after or self.before or {}).get("title", ""))


@dataclass
class Comparison:
    first: ReportingRound
    second: ReportingRound
    changes: list[Change] = field(default_factory=list)
    # actions per status, in each round
    statuses: dict[str, tuple[int, int]] = field(default_factory=dict)
    moved_by_city: dict[int, int] = field(default_factory=dict)


def in_order(a: ReportingRound, b: ReportingRound) -> tuple[ReportingRound, ReportingRound]:
    """Two rounds, the earlier period first (the one opened first when the periods end alike)."""
    return (a, b) if (a.period_end, a.id) <= (b.period_end, b.id) else (b, a)


def compare(
    first: ReportingRound,
    second: ReportingRound,
    *,
    approved: bool,
    city_id: int | None = None,
    facts_only: bool = False,
) -> Comparison:
    """What moved from `first` to `second` in the cities of both: every item whose state
    differs, per city, and the actions per status in each (programme-wide, or one city's)."""
    before = _narrowed(snapshot(first, approved=approved), city_id, facts_only)
    after = _narrowed(snapshot(second, approved=approved), city_id, facts_only)
    # Only the cities of both rounds: a city that reports in one round alone moved nowhere.
    both = {c.id for c in first.cities} & {c.id for c in second.cities}
    before = {key: content for key, content in before.items() if key[0] in both}
    after = {key: content for key, content in after.items() if key[0] in both}
    result = Comparison(first, second)
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        if was != now:
            result.changes.append(Change(key, was, now))
            result.moved_by_city[key[0]] = result.moved_by_city.get(key[0], 0) + 1
    counts = [_statuses(before.items()), _statuses(after.items())]
    for status in sorted(set(counts[0]) | set(counts[1])):
        result.statuses[status] = (counts[0][status], counts[1][status])
    return result


def _narrowed(
    items: dict[Key, dict[str, Any]], city_id: int | None, facts_only: bool
) -> dict[Key, dict[str, Any]]:
    return {
        key: content
        for key, content in items.items()
        if (city_id is None or key[0] == city_id) and not (facts_only and content.get("demo"))
    }


def _statuses(items: Iterable[tuple[Key, dict[str, Any]]]) -> Counter[str]:
    return Counter(
        str(content.get("status") or "none") for key, content in items if key[1] == "action"
    )


def cities_named(ids: Iterable[int]) -> dict[int, City]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {c.id: c for c in db.session.scalars(sa.select(City).where(City.id.in_(wanted)))}


@dataclass
class CitySummary:
    """A city's snapshot in figures: its actions per status, its milestones done of all."""

    city: City
    statuses: Counter[str] = field(default_factory=Counter)
    milestones: int = 0
    milestones_done: int = 0


def summary(round_: ReportingRound, *, approved: bool, facts_only: bool) -> list[CitySummary]:
    """Each of the round's cities in figures, from its snapshot (demo items left out when only
    facts are wanted)."""
    by_city = {c.id: CitySummary(c) for c in round_.cities}
    for key, content in _narrowed(snapshot(round_, approved=approved), None, facts_only).items():
        row = by_city.get(key[0])
        if row is None:
            continue
        if key[1] == "action":
            row.statuses[str(content.get("status") or "none")] += 1
        elif key[1] == "milestone":
            row.milestones += 1
            row.milestones_done += bool(content.get("completed_on"))
    return list(by_city.values())


@dataclass
class RoundFigures:
    """The programme's own KPIs for a round's cities and period, from the data as it stands
    (the period's dates select it): money earmarked (planned from the cities' own budgets) and
    leveraged (planned from every other source) in the period's years; partners engaged by
    the period's end (a partner without a signing date counts as engaged); and city-to-city
    collaborations (mentorships) active in the period. `demo`: whether demo records count."""

    earmarked_eur: float = 0
    leveraged_eur: float = 0
    partners: int = 0
    collaborations: int = 0
    demo: bool = False


def figures(round_: ReportingRound) -> RoundFigures:
    """Aggregates the database computes (a few rows whatever the programme's size)."""
    found = RoundFigures()
    cities = sa.select(RoundCity.city_id).where(RoundCity.round_id == round_.id)
    own = ActionCost.funding_source == "own"
    for is_own, planned, demo in db.session.execute(
        sa.select(
            own,
            sa.func.sum(ActionCost.planned_eur),
            sa.func.max(sa.cast(Action.is_demo, sa.Integer)),
        )
        .join(Action, ActionCost.action_id == Action.id)
        .join(Plan, Action.plan_id == Plan.id)
        .where(
            Plan.city_id.in_(cities),
            ActionCost.year.between(round_.period_start.year, round_.period_end.year),
            ActionCost.planned_eur > 0,
        )
        .group_by(own)
    ):
        if is_own:
            found.earmarked_eur = planned or 0
        else:
            found.leveraged_eur = planned or 0
        found.demo = found.demo or bool(demo)
    partners = (
        sa.select(sa.func.count(), sa.func.max(sa.cast(Partner.is_demo, sa.Integer)))
        .join(Plan, Partner.plan_id == Plan.id)
        .where(
            Plan.city_id.in_(cities),
            sa.or_(Partner.signed_on.is_(None), Partner.signed_on <= round_.period_end),
        )
    )
    count, demo = db.session.execute(partners).one()
    found.partners, found.demo = count, found.demo or bool(demo)
    mentor, mentee = aliased(Participation), aliased(Participation)
    pairs = (
        sa.select(sa.func.count(), sa.func.max(sa.cast(Mentorship.is_demo, sa.Integer)))
        .join(mentor, Mentorship.mentor_id == mentor.id)
        .join(mentee, Mentorship.mentee_id == mentee.id)
        .where(
            sa.or_(mentor.city_id.in_(cities), mentee.city_id.in_(cities)),
            Mentorship.since_on <= round_.period_end,
            sa.or_(Mentorship.ended_on.is_(None), Mentorship.ended_on >= round_.period_start),
        )
    )
    count, demo = db.session.execute(pairs).one()
    found.collaborations, found.demo = count, found.demo or bool(demo)
    return found
