"""Reporting rounds read: the rounds, what a round's cities state now or stated at its close
(its snapshot), and what was reported in a round. Two rounds compared: round_compare.py."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
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
from tracker.queries import items
from tracker.queries.items import Key
from tracker.queries.keyset import keyed
from tracker.queries.milestones import with_owner_city


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
    """What each item of the round's cities (or of one of them) states now."""
    cities = city_ids(round_id)
    if city_id is not None:
        cities = cities.where(RoundCity.city_id == city_id)
    return items.current(cities, approved=approved)


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
