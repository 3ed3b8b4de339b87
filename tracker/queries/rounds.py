"""Reporting rounds read: the rounds, what a round's cities state now or stated at its close
(its snapshot), what was reported in a round, and what moved between two rounds."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import (
    Action,
    City,
    Indicator,
    IndicatorValue,
    Milestone,
    Participation,
    Plan,
    ProgressUpdate,
    ReportingRound,
    RoundCity,
    SnapshotItem,
)
from tracker.queries.keyset import keyed
from tracker.queries.milestones import with_owner_city
from tracker.queries.published import published_values

# (city id, kind, item id): one action, indicator or milestone of a city
Key = tuple[int, str, int]


def canonical(content: dict[str, Any]) -> str:
    """An item's content as stored and hashed: JSON with sorted keys and no spaces."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def rounds() -> list[ReportingRound]:
    """Every round, the latest period first."""
    return list(
        db.session.scalars(
            sa.select(ReportingRound).order_by(
                ReportingRound.period_end.desc(), ReportingRound.id.desc()
            )
        )
    )


def open_round_of(city_id: int) -> ReportingRound | None:
    """The open round the city reports in (a city is in at most one open round)."""
    return db.session.scalar(
        sa.select(ReportingRound)
        .join(RoundCity, RoundCity.round_id == ReportingRound.id)
        .where(RoundCity.city_id == city_id, ReportingRound.closed_at.is_(None))
        .limit(1)
    )


def last_closed() -> ReportingRound | None:
    return db.session.scalar(
        sa.select(ReportingRound)
        .where(ReportingRound.closed_at.is_not(None))
        .order_by(ReportingRound.closed_at.desc(), ReportingRound.id.desc())
        .limit(1)
    )


def programme_city_slugs(programme_id: int) -> list[str]:
    """The address names of every city taking part in the programme."""
    return list(
        db.session.scalars(
            sa.select(City.slug)
            .join(Participation, Participation.city_id == City.id)
            .where(Participation.programme_id == programme_id)
            .distinct()
            .order_by(City.slug)
        )
    )


def listing(filters: dict[str, Any]) -> sa.Select[Any]:
    """The API's list of rounds, in the order they were opened."""
    select = sa.select(ReportingRound).options(selectinload(ReportingRound.cities))
    if filters.get("state") == "open":
        select = select.where(ReportingRound.closed_at.is_(None))
    elif filters.get("state") == "closed":
        select = select.where(ReportingRound.closed_at.is_not(None))
    return keyed(select, ReportingRound.id)


def item_listing(round_id: int, filters: dict[str, Any]) -> sa.Select[Any]:
    """A closed round's snapshot items, in the order they were frozen."""
    select = sa.select(SnapshotItem).where(SnapshotItem.round_id == round_id)
    if filters.get("city"):
        select = select.where(
            SnapshotItem.city_id.in_(sa.select(City.id).where(City.slug == filters["city"]))
        )
    if filters.get("kind"):
        select = select.where(SnapshotItem.kind == filters["kind"])
    return keyed(select, SnapshotItem.id)


def city_ids(round_id: int) -> sa.Select[Any]:
    return sa.select(RoundCity.city_id).where(RoundCity.round_id == round_id)


def current_items(
    round_id: int, *, approved: bool, city_id: int | None = None
) -> dict[Key, dict[str, Any]]:
    """What each action, indicator and milestone of the round's cities (or of one of them)
    states now: as reported, or (`approved`) as the approved reports alone state it."""
    cities = city_ids(round_id)
    if city_id is not None:
        cities = cities.where(RoundCity.city_id == city_id)
    items: dict[Key, dict[str, Any]] = {}
    status, percent, reported = Action.state_columns(approved)
    for row in db.session.execute(
        sa.select(
            Action.id,
            Plan.city_id,
            Action.title,
            Action.local_title,
            Action.is_demo,
            status,
            percent,
            reported,
        )
        .join(Plan, Action.plan_id == Plan.id)
        .where(Plan.city_id.in_(cities))
    ):
        items[(row[1], "action", row[0])] = {
            "title": row[2],
            "local_title": row[3],
            "demo": row[4],
            "status": row[5],
            "percent": row[6],
            "reported_on": _day(row[7]),
        }
    indicators = db.session.execute(
        sa.select(
            Indicator.id,
            Plan.city_id,
            Indicator.name,
            Indicator.local_name,
            Indicator.unit,
            Indicator.action_id,
            Indicator.is_demo,
        )
        .join(Action, Indicator.action_id == Action.id)
        .join(Plan, Action.plan_id == Plan.id)
        .where(Plan.city_id.in_(cities))
    ).all()
    latest = _latest_values([i[0] for i in indicators], approved=approved)
    for indicator_id, city_id, name, local_name, unit, action_id, demo in indicators:
        measured_on, value = latest.get(indicator_id, (None, None))
        items[(city_id, "indicator", indicator_id)] = {
            "title": name,
            "local_title": local_name,
            "demo": demo,
            "unit": unit,
            "action_id": action_id,
            "value": value,
            "measured_on": _day(measured_on),
        }
    due, completed = Milestone.state_columns(approved)
    query, owner = with_owner_city(
        sa.select(
            Milestone.id,
            Milestone.title,
            Milestone.local_title,
            Milestone.lgd_step,
            Milestone.is_demo,
            due,
            completed,
        )
    )
    for milestone_id, title, local, step, demo, due_on, completed_on, city_id in db.session.execute(
        query.add_columns(owner).where(owner.in_(cities))
    ):
        items[(city_id, "milestone", milestone_id)] = {
            "title": title,
            "local_title": local,
            "lgd_step": step,
            "demo": demo,
            "due_on": _day(due_on),
            "completed_on": _day(completed_on),
        }
    return items


def _latest_values(ids: list[int], *, approved: bool) -> dict[int, tuple[date, float]]:
    if not ids:
        return {}
    if approved:
        return {i: values[-1] for i, values in published_values(ids, facts_only=False).items()}
    latest: dict[int, tuple[date, float]] = {}
    for indicator_id, measured_on, value in db.session.execute(
        sa.select(IndicatorValue.indicator_id, IndicatorValue.measured_on, IndicatorValue.value)
        .where(IndicatorValue.indicator_id.in_(ids), IndicatorValue.effective())
        .order_by(IndicatorValue.measured_on, IndicatorValue.id)
    ):
        latest[indicator_id] = (measured_on, value)
    return latest


def snapshot(
    round_: ReportingRound, *, approved: bool, city_id: int | None = None
) -> dict[Key, dict[str, Any]]:
    """The round's items (or one city's): frozen at its close, or (an open round) as they
    stand now."""
    if round_.is_open:
        return current_items(round_.id, approved=approved, city_id=city_id)
    query = sa.select(
        SnapshotItem.city_id, SnapshotItem.kind, SnapshotItem.item_id, SnapshotItem.content
    ).where(SnapshotItem.round_id == round_.id)
    if city_id is not None:
        query = query.where(SnapshotItem.city_id == city_id)
    return {
        (city, kind, item_id): json.loads(content)
        for city, kind, item_id, content in db.session.execute(query)
    }


def stored_lines(round_id: int) -> list[tuple[int, str, int, str]]:
    """The snapshot's items as stored, in the order the content hash reads them."""
    return [
        tuple(row)  # type: ignore[misc]
        for row in db.session.execute(
            sa.select(
                SnapshotItem.city_id, SnapshotItem.kind, SnapshotItem.item_id, SnapshotItem.content
            )
            .where(SnapshotItem.round_id == round_id)
            .order_by(SnapshotItem.city_id, SnapshotItem.kind, SnapshotItem.item_id)
        )
    ]


def reported_in(round_: ReportingRound, city_id: int | None = None) -> dict[Key, int]:
    """The reports entered for the round's cities (or one of them) while it was open, per
    item: a report belongs to the round open when it was entered, whatever date it is for."""
    window = [ProgressUpdate.created_at >= round_.opened_at]
    values = [IndicatorValue.created_at >= round_.opened_at]
    if round_.closed_at is not None:
        window.append(ProgressUpdate.created_at < round_.closed_at)
        values.append(IndicatorValue.created_at < round_.closed_at)
    cities = city_ids(round_.id)
    if city_id is not None:
        cities = cities.where(RoundCity.city_id == city_id)
    found: Counter[Key] = Counter()
    for city_id, action_id, count in db.session.execute(
        sa.select(Plan.city_id, ProgressUpdate.action_id, sa.func.count())
        .join(Action, ProgressUpdate.action_id == Action.id)
        .join(Plan, Action.plan_id == Plan.id)
        .where(Plan.city_id.in_(cities), *window)
        .group_by(Plan.city_id, ProgressUpdate.action_id)
    ):
        found[(city_id, "action", action_id or 0)] += count
    for city_id, indicator_id, count in db.session.execute(
        sa.select(Plan.city_id, IndicatorValue.indicator_id, sa.func.count())
        .join(Indicator, IndicatorValue.indicator_id == Indicator.id)
        .join(Action, Indicator.action_id == Action.id)
        .join(Plan, Action.plan_id == Plan.id)
        .where(Plan.city_id.in_(cities), *values)
        .group_by(Plan.city_id, IndicatorValue.indicator_id)
    ):
        found[(city_id, "indicator", indicator_id)] += count
    query, owner = with_owner_city(
        sa.select(ProgressUpdate.milestone_id, sa.func.count()).join(  # type: ignore[arg-type]
            Milestone, ProgressUpdate.milestone_id == Milestone.id
        )
    )
    for milestone_id, count, city_id in db.session.execute(
        query.add_columns(owner)
        .where(owner.in_(cities), *window)
        .group_by(ProgressUpdate.milestone_id, owner)
    ):
        found[(city_id, "milestone", milestone_id)] += count
    return dict(found)


@dataclass
class CityProgress:
    """A city's part of a round: its items, and how many of them were reported in it."""

    city: City
    items: int = 0
    reported: int = 0


def progress_by_city(round_: ReportingRound, *, approved: bool) -> list[CityProgress]:
    items = snapshot(round_, approved=approved)
    reported = reported_in(round_)
    by_city = {c.id: CityProgress(c) for c in round_.cities}
    for key in items:
        if key[0] in by_city:
            by_city[key[0]].items += 1
            by_city[key[0]].reported += key in reported
    return list(by_city.values())


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
