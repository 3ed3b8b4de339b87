"""The filtered, ordered selects that the API's lists and the exports share. Filters are
already-checked values keyed city, country, role, sector, status; each select eager-loads what
its rows are rendered with, so a page of rows costs a fixed number of queries."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from tracker.models import (
    Action,
    City,
    Mentorship,
    Participation,
    Partner,
    Plan,
    ProgressUpdate,
    Sector,
)

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
        .order_by(City.slug, Participation.id)
    )
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
        .order_by(Mentorship.id)
    )
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
        )
        .order_by(Action.id)
    )
    if filters.get("status"):
        select = select.where(Action.status == filters["status"])
    return sector_scope(city_scope(select, filters), filters)


def partners(filters: Filters) -> sa.Select[Any]:
    select = (
        sa.select(Partner)
        .join(Partner.plan)
        .join(Plan.city)
        .options(joinedload(Partner.plan).joinedload(Plan.city))
        .order_by(Partner.id)
    )
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
        .order_by(ProgressUpdate.id)
    )
    if filters.get("status"):
        select = select.where(ProgressUpdate.status == filters["status"])
    return sector_scope(city_scope(select, filters), filters)
