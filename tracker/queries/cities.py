"""Cities: the filterable list, and everything one city's page shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from tracker.extensions import db
from tracker.models import (
    Action,
    City,
    Indicator,
    Mentorship,
    Milestone,
    Participation,
    Plan,
    Programme,
    ProgressUpdate,
    Sector,
)
from tracker.queries.progress import histories, history_options

SORTS = ("name", "role", "country", "lgd_status", "last_update")


@dataclass
class Area:
    """Where a list looks: a country, and cities working in a sector (None: everywhere)."""

    country: str | None = None
    sector: str | None = None


@dataclass
class CityFilter(Area):
    role: str | None = None
    lgd_status: str | None = None
    sort: str = "name"


@dataclass
class CityRow:
    slug: str
    name: str
    country: str
    role: str
    latitude: float | None
    longitude: float | None
    lgd_status: str | None
    sectors: str | None  # its actions' sectors, as slugs joined by commas
    last_update: date | None


def listing(
    programme: Programme, filters: CityFilter, window: tuple[int, int] | None = None
) -> tuple[list[CityRow], int]:
    """The cities the filters keep, in the order asked for, and how many there are. `window`
    (offset, limit) reads one page of them: the database sorts and counts, and only the
    page's rows come back (with None, every row: the CSV)."""
    deals = (
        sa.select(Plan.city_id, sa.func.max(Plan.status).label("status"))
        .where(Plan.programme_id == programme.id, Plan.kind == "local_green_deal")
        .group_by(Plan.city_id)
        .subquery()
    )
    pairs = (
        sa.select(
            Plan.city_id.label("city_id"), Sector.name.label("name"), Sector.slug.label("slug")
        )
        .distinct()
        .join(Action, Action.plan_id == Plan.id)
        .join(Sector, Action.sector_id == Sector.id)
        .subquery()
    )
    status = sa.select(deals.c.status).where(deals.c.city_id == City.id).scalar_subquery()
    last = Plan.city_last_report(City.id)
    kept = (
        sa.select(City.id)
        .join(Participation, Participation.city_id == City.id)
        .where(Participation.programme_id == programme.id)
    )
    if filters.role:
        kept = kept.where(Participation.role == filters.role)
    if filters.country:
        kept = kept.where(City.country == filters.country)
    if filters.lgd_status:
        kept = kept.where(status == filters.lgd_status)
    if filters.sector:
        kept = kept.where(
            sa.select(pairs.c.city_id)
            .where(pairs.c.city_id == City.id, pairs.c.slug == filters.sector)
            .exists()
        )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(kept.subquery())) or 0
    name = sa.func.lower(City.name)
    orders: dict[str, list[Any]] = {
        "name": [name],
        "role": [Participation.role, name],
        "country": [City.country, name],
        "lgd_status": [status.is_(None), status, name],
        "last_update": [last.is_(None), last.desc(), name],
    }
    query = kept.with_only_columns(City.id).order_by(
        *orders.get(filters.sort, orders["name"]), City.id
    )
    if window is not None:
        query = query.offset(window[0]).limit(window[1])
    ids = list(db.session.scalars(query))
    sectors = (
        sa.select(pairs.c.city_id, sa.func.aggregate_strings(pairs.c.slug, ",").label("names"))
        .where(pairs.c.city_id.in_(ids))
        .group_by(pairs.c.city_id)
        .subquery()
    )
    found = {
        row[0]: CityRow(*row[1:])
        for row in db.session.execute(
            sa.select(
                City.id,
                City.slug,
                City.name,
                City.country,
                Participation.role,
                City.latitude,
                City.longitude,
                status,
                sectors.c.names,
                last,
            )
            .join(Participation, Participation.city_id == City.id)
            .outerjoin(sectors, sectors.c.city_id == City.id)
            .where(Participation.programme_id == programme.id, City.id.in_(ids))
        )
    }
    return [found[i] for i in ids], total


@dataclass
class CityPage:
    city: City
    participations: list[Participation]
    mentors: list[tuple[City, Mentorship]]
    mentees: list[tuple[City, Mentorship]]  # all, or the window asked for
    mentee_count: int
    plans: list[Plan]
    milestones: list[tuple[Milestone, str]]
    recent: list[ProgressUpdate]


def page(
    city: City,
    state: sa.ColumnElement[str],
    mentees: tuple[int, int] | None = None,
    *,
    facts_only: bool = False,
) -> CityPage:
    """A city's page; `mentees` (offset, limit) reads a window of its mentees, by name (a
    mentor may have a thousand), else all of them; `facts_only` leaves out demo pairs."""
    participations = list(
        db.session.scalars(
            sa.select(Participation)
            .where(Participation.city_id == city.id)
            .options(selectinload(Participation.programme))
        )
    )
    other_part, other_city = aliased(Participation), aliased(City)
    # The city's participations by id: the pairs are then found through the mentorships'
    # indexes (a subquery here had SQLite walk every participation in name order).
    own = [p.id for p in participations]

    def linked(
        own_side: Any, other_side: Any, window: tuple[int, int] | None = None
    ) -> list[tuple[City, Mentorship]]:
        query = (
            sa.select(other_city, Mentorship)
            .join(other_part, other_side == other_part.id)
            .join(other_city, other_part.city_id == other_city.id)
            .where(own_side.in_(own), *Mentorship.facts(facts_only))
            .order_by(other_city.name, other_city.id)
        )
        if window is not None:
            query = query.offset(window[0]).limit(window[1])
        return [(c, m) for c, m in db.session.execute(query)]

    mentee_count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Mentorship)
        .where(Mentorship.mentor_id.in_(own), *Mentorship.facts(facts_only))
    )

    plans = list(
        db.session.scalars(
            sa.select(Plan)
            .where(Plan.city_id == city.id)
            .order_by(Plan.kind.desc(), Plan.id)
            .options(
                selectinload(Plan.partners),
                selectinload(Plan.targets),
                selectinload(Plan.actions).selectinload(Action.sector),
                selectinload(Plan.actions)
                .selectinload(Action.indicators)
                .selectinload(Indicator.values),
            )
        )
    )
    # The city's milestones (of its plans, and of its plans' actions) found through their
    # indexes, each side on its own: one condition testing either side read every milestone.
    city_plans = sa.select(Plan.id).where(Plan.city_id == city.id)
    own_milestones = sa.union(
        sa.select(Milestone.id).where(Milestone.plan_id.in_(city_plans)),
        sa.select(Milestone.id).where(
            Milestone.action_id.in_(sa.select(Action.id).where(Action.plan_id.in_(city_plans)))
        ),
    )
    milestones = [
        (m, s)
        for m, s in db.session.execute(
            sa.select(Milestone, state)
            .where(Milestone.id.in_(own_milestones))
            .order_by(Milestone.due_on, Milestone.id)
        )
    ]
    recent = list(
        db.session.scalars(
            sa.select(ProgressUpdate)
            .join(ProgressUpdate.action)
            .join(Action.plan)
            .where(Plan.city_id == city.id)
            .options(selectinload(ProgressUpdate.action), *history_options())
            .order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
            .limit(10)
        )
    )
    return CityPage(
        city,
        participations,
        linked(Mentorship.mentee_id, Mentorship.mentor_id),
        linked(Mentorship.mentor_id, Mentorship.mentee_id, mentees),
        mentee_count or 0,
        plans,
        milestones,
        recent,
    )


def action_histories(plans: list[Plan]) -> dict[int, list[ProgressUpdate]]:
    """Every update of these plans' actions, newest first, in one query."""
    return histories([a.id for p in plans for a in p.actions])
