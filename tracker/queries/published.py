"""What the public view may show of a city: facts and published status only, built as plain
records so that nothing else (notes, authors, e-mail addresses, evidence links, demo records)
can reach a public page by accident."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.models import City, IndicatorValue, Participation, ProgressUpdate, Review
from tracker.models.review import unapproved
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
    mentees: list[tuple[str, str]]  # the window asked for, by name
    mentee_count: int
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


def public_city_id(slug: str) -> int | None:
    """The city at `slug` if the public view has a page for it (it takes part in a programme)."""
    query = (
        sa.select(City.id)
        .join(Participation, Participation.city_id == City.id)
        .where(City.slug == slug)
        .limit(1)
    )
    return db.session.scalar(query)


def published_values(
    indicator_ids: list[int], *, facts_only: bool = True
) -> dict[int, list[tuple[date, float]]]:
    """Each indicator's values as the approved reports alone state them (no demo values unless
    asked for, as a round's snapshot does): a value entered on its own once approved; one
    reported with a progress update while that update is approved and no later approved
    correction of it stands."""
    update, later = aliased(ProgressUpdate), aliased(ProgressUpdate)
    waiting = unapproved(Review.update_id)
    superseded = (
        sa.select(later.id)
        .where(
            sa.func.coalesce(later.original_id, later.id)
            == sa.func.coalesce(update.original_id, update.id),
            later.id > update.id,
            later.id.not_in(waiting),
        )
        .exists()
    )
    stated = sa.select(update.id).where(
        update.indicator_id.in_(indicator_ids), update.id.not_in(waiting), ~superseded
    )
    shown = sa.or_(
        sa.and_(
            IndicatorValue.progress_update_id.is_(None),
            IndicatorValue.id.not_in(unapproved(Review.value_id)),
        ),
        IndicatorValue.progress_update_id.in_(stated),
    )
    found: dict[int, list[tuple[date, float]]] = {}
    for indicator_id, measured_on, value in db.session.execute(
        sa.select(IndicatorValue.indicator_id, IndicatorValue.measured_on, IndicatorValue.value)
        .where(
            IndicatorValue.indicator_id.in_(indicator_ids),
            *IndicatorValue.facts(facts_only),
            shown,
        )
        .order_by(IndicatorValue.measured_on, IndicatorValue.id)
    ):
        found.setdefault(indicator_id, []).append((measured_on, value))
    return found


def city(
    city_id: int, state: sa.ColumnElement[str], mentees: tuple[int, int] | None = None
) -> PublicCity:
    """A city as the public sees it; `mentees` (offset, limit): a window of its mentees."""
    found = db.get_or_404(City, city_id)
    page = cities.page(found, state, mentees, facts_only=True)
    values = published_values(
        [i.id for plan in page.plans for action in plan.actions for i in action.indicators]
    )
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
        [(c.slug, c.name) for c, _m in page.mentors],
        [(c.slug, c.name) for c, _m in page.mentees],
        page.mentee_count,
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
                        action.published_status,
                        action.published_percent,
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
                                values.get(i.id, []),
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
            PublicMilestone(
                m.title, m.local_title, m.lgd_step, m.published_due_on or m.due_on, s, m.source_url
            )
            for m, s in page.milestones
            if not m.is_demo
        ],
    )
