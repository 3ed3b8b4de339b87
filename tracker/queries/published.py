"""What the public view may show of a city: facts and published status only, built as plain
records so that nothing else (notes, authors, e-mail addresses, evidence links, demo records)
can reach a public page by accident."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import City, Participation
from tracker.queries import cities


@dataclass(frozen=True)
class Membership:
    role: str
    programme: str
    joined_on: date
    is_ambassador: bool
    source_url: str | None


@dataclass(frozen=True)
class PublicIndicator:
    id: int
    name: str
    local_name: str | None
    unit: str
    baseline: float | None
    target: float | None
    target_on: date | None
    values: list[tuple[date, float]]
    source_url: str | None


@dataclass(frozen=True)
class PublicAction:
    title: str
    local_title: str | None
    sector: str | None  # its slug
    status: str | None
    percent: int | None
    source_url: str | None
    indicators: list[PublicIndicator] = field(default_factory=list)


@dataclass(frozen=True)
class PublicPlan:
    title: str
    local_title: str | None
    kind: str
    status: str | None
    signed_on: date | None
    source_url: str | None
    actions: list[PublicAction] = field(default_factory=list)


@dataclass(frozen=True)
class PublicMilestone:
    title: str
    local_title: str | None
    lgd_step: str | None
    due_on: date
    state: str
    source_url: str | None


@dataclass(frozen=True)
class PublicCity:
    slug: str
    name: str
    local_name: str | None
    country: str
    source_url: str | None
    memberships: list[Membership]
    mentors: list[tuple[str, str]]  # (slug, name) of its mentor cities
    mentees: list[tuple[str, str]]
    plans: list[PublicPlan]
    milestones: list[PublicMilestone]


def cities_by_role(programme_id: int, roles: tuple[str, ...]) -> dict[str, list[tuple[str, str]]]:
    """The (slug, name) of the programme's cities in each of `roles`, by name."""
    found: dict[str, list[tuple[str, str]]] = {role: [] for role in roles}
    for role, slug, name in db.session.execute(
        sa.select(Participation.role, City.slug, City.name)
        .join(Participation.city)
        .where(Participation.programme_id == programme_id, Participation.role.in_(roles))
        .order_by(City.name)
    ):
        found[role].append((slug, name))
    return found


def public_city_ids() -> dict[str, int]:
    """The cities the public view has a page for: those taking part in a programme."""
    query = sa.select(City.slug, City.id).join(Participation, Participation.city_id == City.id)
    return dict(db.session.execute(query).all())


def city(city_id: int, state: sa.ColumnElement[str]) -> PublicCity:
    found = db.get_or_404(City, city_id)
    page = cities.page(found, state)
    return PublicCity(
        found.slug,
        found.name,
        found.local_name,
        found.country,
        found.source_url,
        [
            Membership(
                p.role,
                p.programme.name,
                p.joined_on,
                p.is_communications_ambassador,
                p.source_url,
            )
            for p in page.participations
        ],
        [(c.slug, c.name) for c, m in page.mentors if not m.is_demo],
        [(c.slug, c.name) for c, m in page.mentees if not m.is_demo],
        [
            PublicPlan(
                plan.title,
                plan.local_title,
                plan.kind,
                plan.status,
                plan.signed_on,
                plan.source_url,
                [
                    PublicAction(
                        action.title,
                        action.local_title,
                        action.sector.slug if action.sector else None,
                        action.status,
                        action.percent_complete,
                        action.source_url,
                        [
                            PublicIndicator(
                                i.id,
                                i.name,
                                i.local_name,
                                i.unit,
                                i.baseline_value,
                                i.target_value,
                                i.target_on,
                                [(v.measured_on, v.value) for v in i.values if not v.is_demo],
                                i.source_url,
                            )
                            for i in action.indicators
                            if not i.is_demo
                        ],
                    )
                    for action in plan.actions
                    if not action.is_demo
                ],
            )
            for plan in page.plans
            if not plan.is_demo
        ],
        [
            PublicMilestone(m.title, m.local_title, m.lgd_step, m.due_on, s, m.source_url)
            for m, s in page.milestones
            if not m.is_demo
        ],
    )
