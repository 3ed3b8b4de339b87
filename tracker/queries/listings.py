"""The filtered, ordered selects that the API's lists and the exports share. Filters are
already-checked values keyed city, country, role, sector, status; each select eager-loads what
its rows are rendered with, so a page of rows costs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload

from tracker.extensions import db
from tracker.models import (
    Action,
    ActionTotal,
    City,
    Indicator,
    IndicatorValue,
    Mentorship,
    Participation,
    Partner,
    Phase,
    Plan,
    Programme,
    ProgressUpdate,
    Sector,
)
from tracker.queries.keyset import keyed

Filters = dict[str, Any]


def city_scope(select: sa.Select[Any], filters: Filters, city: Any = City) -> sa.Select[Any]:
    if filters.get("city"):
        select = select.where(city.slug == filters["city"])
    if filters.get("country"):
        select = select.where(city.country == filters["country"])
    return select


def sector_scope(select: sa.Select[Any], filters: Filters) -> sa.Select[Any]:
    if filters.get("sector"):
        select = select.where(
            Action.sector_id.in_(sa.select(Sector.id).where(Sector.slug == filters["sector"]))
        )
    return select


def participations(filters: Filters) -> sa.Select[Any]:
    select = (
        sa.select(Participation)
        .join(Participation.city)
        .options(joinedload(Participation.city), joinedload(Participation.programme))
    )
    select = keyed(select, City.slug, Participation.id)
    if filters.get("role"):
        select = select.where(Participation.role == filters["role"])
    if filters.get("sector"):
        select = select.where(
            sa.select(Action.id)
            .join(Action.plan)
            .join(Sector, Action.sector_id == Sector.id)
            .where(Plan.city_id == City.id, Sector.slug == filters["sector"])
            .exists()
        )
    return city_scope(select, filters)


def mentorships(filters: Filters) -> sa.Select[Any]:
    mentor_p, mentee_p = aliased(Participation), aliased(Participation)
    mentor_c, mentee_c = aliased(City), aliased(City)
    select = (
        sa.select(Mentorship)
        .join(mentor_p, Mentorship.mentor_id == mentor_p.id)
        .join(mentee_p, Mentorship.mentee_id == mentee_p.id)
        .join(mentor_c, mentor_p.city_id == mentor_c.id)
        .join(mentee_c, mentee_p.city_id == mentee_c.id)
        .options(
            joinedload(Mentorship.mentor).joinedload(Participation.city),
            joinedload(Mentorship.mentee).joinedload(Participation.city),
            joinedload(Mentorship.programme),
            joinedload(Mentorship.sector),
        )
    )
    select = keyed(select, Mentorship.id)
    if filters.get("city"):
        select = select.where(
            sa.or_(mentor_c.slug == filters["city"], mentee_c.slug == filters["city"])
        )
    return select


def actions(filters: Filters) -> sa.Select[Any]:
    select = (
        sa.select(Action)
        .join(Action.plan)
        .join(Plan.city)
        .options(
            joinedload(Action.plan).joinedload(Plan.city),
            joinedload(Action.sector),
            joinedload(Action.theme),
            selectinload(Action.costs),
        )
    )
    select = keyed(select, Action.id)
    return _reported(
        select,
        filters,
        Action.status,
        lambda since: Action.id.in_(
            sa.select(ProgressUpdate.action_id).where(ProgressUpdate.created_at >= since)
        ),
    )


def counted_actions(filters: Filters) -> int | None:
    """How many actions `actions(filters)` lists, from the totals the database keeps
    (action_totals: a few rows, not every action) when the filters allow it (none, or a status
    alone); None otherwise. Every action has a plan and its plan a city, so the list's joins
    leave none out."""
    if set(filters) - {"status"}:
        return None
    query = sa.select(sa.func.coalesce(sa.func.sum(ActionTotal.actions), 0))
    if filters.get("status"):
        query = query.where(ActionTotal.status == filters["status"])
    return int(db.session.scalar(query) or 0)


def _reported(
    select: sa.Select[Any],
    filters: Filters,
    status: Any,
    reported_since: Callable[[Any], Any],
) -> sa.Select[Any]:
    """A list of what is reported on, narrowed by status, by what was reported since a time,
    and by city, country and sector."""
    if filters.get("status"):
        select = select.where(status == filters["status"])
    if filters.get("updated_since"):
        select = select.where(reported_since(filters["updated_since"]))
    return sector_scope(city_scope(select, filters), filters)


def partners(filters: Filters) -> sa.Select[Any]:
    select = (
        sa.select(Partner)
        .join(Partner.plan)
        .join(Plan.city)
        .options(joinedload(Partner.plan).joinedload(Plan.city))
    )
    select = keyed(select, Partner.id)
    return city_scope(select, filters)


def progress_updates(filters: Filters) -> sa.Select[Any]:
    select = (
        sa.select(ProgressUpdate)
        .join(ProgressUpdate.action)
        .join(Action.plan)
        .join(Plan.city)
        .options(
            joinedload(ProgressUpdate.action).joinedload(Action.plan).joinedload(Plan.city),
            joinedload(ProgressUpdate.author),
            joinedload(ProgressUpdate.indicator),
            joinedload(ProgressUpdate.corrects),
            joinedload(ProgressUpdate.corrected_by),
        )
    )
    select = keyed(select, ProgressUpdate.id)
    return _reported(
        select, filters, ProgressUpdate.status, lambda since: ProgressUpdate.created_at >= since
    )


def programmes(_filters: Filters) -> sa.Select[Any]:
    return keyed(sa.select(Programme), Programme.starts_on, Programme.id)


def phases(filters: Filters) -> sa.Select[Any]:
    select = sa.select(Phase).join(Phase.programme).options(joinedload(Phase.programme))
    if filters.get("programme"):
        select = select.where(Programme.slug == filters["programme"])
    return keyed(select, Phase.programme_id, Phase.position, Phase.id)


def plans(filters: Filters) -> sa.Select[Any]:
    select = city_scope(sa.select(Plan).join(Plan.city).options(joinedload(Plan.city)), filters)
    for name in ("kind", "status"):
        if filters.get(name):
            select = select.where(getattr(Plan, name) == filters[name])
    return keyed(select, Plan.id)


def indicators(filters: Filters) -> sa.Select[Any]:
    select = sa.select(Indicator).join(Indicator.action).join(Action.plan).join(Plan.city)
    return keyed(city_scope(select, filters), Indicator.id)


def indicator_values(indicator_id: int, filters: Filters) -> sa.Select[Any]:
    """An indicator's values as they stand: those of corrected reports left out."""
    select = sa.select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator_id, IndicatorValue.effective()
    )
    if filters.get("updated_since"):
        select = select.where(IndicatorValue.created_at >= filters["updated_since"])
    return keyed(select, IndicatorValue.measured_on, IndicatorValue.id)


def mentor_links(city_ids: list[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Each city's current mentors and mentees (by slug, in code-point order), for a page of
    cities, in one query: the database joins each page city's slugs into one string per city and
    side, so the rows that come back are at most two per city on the page, however many mentees a
    mentor has (a mentor of thousands of cities: its line, not a row per mentee)."""
    mentor_p, mentee_p = aliased(Participation), aliased(Participation)
    mentor_c, mentee_c = aliased(City), aliased(City)
    pairs = (
        sa.select()
        .select_from(Mentorship)
        .join(mentor_p, Mentorship.mentor_id == mentor_p.id)
        .join(mentee_p, Mentorship.mentee_id == mentee_p.id)
        .join(mentor_c, mentor_p.city_id == mentor_c.id)
        .join(mentee_c, mentee_p.city_id == mentee_c.id)
        .where(Mentorship.ended_on.is_(None))
    )

    def side(kind: str, city: Any, other: Any) -> sa.Select[Any]:
        return (
            pairs.add_columns(
                sa.literal(kind).label("kind"),
                city.id.label("city_id"),
                sa.func.aggregate_strings(other.slug, " ").label("slugs"),
            )
            .where(city.id.in_(city_ids))
            .group_by(city.id)
        )

    links: dict[str, dict[int, list[str]]] = {"mentors": {}, "mentees": {}}
    for kind, city_id, slugs in db.session.execute(
        sa.union_all(side("mentors", mentee_c, mentor_c), side("mentees", mentor_c, mentee_c))
    ):
        links[kind][city_id] = sorted(slugs.split(" "))
    return links["mentors"], links["mentees"]
