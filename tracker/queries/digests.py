"""What the reminders tell: a city's digest of what is due and late, and the programme's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from tracker.extensions import db
from tracker.models import (
    Action,
    City,
    Milestone,
    Plan,
    ProgressUpdate,
    ReportingRound,
)
from tracker.queries import mentees as mentee_read
from tracker.queries import mentorships as mentorships_read
from tracker.queries import overview
from tracker.queries import rounds as rounds_read
from tracker.queries.milestones import with_owner_city

MOST_LISTED = 25  # items of one kind listed in a message; the rest are counted


@dataclass
class CityDigest:
    city: City
    stale: list[Action] = field(default_factory=list)
    stale_count: int = 0
    due_soon: list[Milestone] = field(default_factory=list)
    overdue: list[Milestone] = field(default_factory=list)
    overdue_count: int = 0
    mentees: list[mentorships_read.Need] = field(default_factory=list)
    # The open reporting round the city reports in, when its due date is near or past, and
    # how many of the city's items were not reported in it yet.
    round: ReportingRound | None = None
    round_unreported: int = 0

    @property
    def empty(self) -> bool:
        return not (self.stale or self.due_soon or self.overdue or self.mentees or self.round)


def city_digest(city: City, today: date, *, mentees: bool = True) -> CityDigest:
    config = current_app.config
    cutoff = today - timedelta(days=config["STALE_AFTER_DAYS"])
    soon = today + timedelta(days=config["DUE_SOON_DAYS"])
    stale = sa.and_(
        Action.plan.has(Plan.city_id == city.id),
        overview.OPEN,
        sa.or_(Action.last_reported_on.is_(None), Action.last_reported_on < cutoff),
    )
    digest = CityDigest(city)
    digest.stale = list(
        db.session.scalars(
            sa.select(Action)
            .where(stale)
            .order_by(Action.last_reported_on.is_(None).desc(), Action.last_reported_on, Action.id)
            .limit(MOST_LISTED)
        )
    )
    digest.stale_count = db.session.scalar(sa.select(sa.func.count()).where(stale)) or 0
    owned, owner_id = with_owner_city(sa.select(Milestone))
    owned = owned.where(owner_id == city.id, Milestone.completed_on.is_(None))
    digest.due_soon = list(
        db.session.scalars(
            owned.where(Milestone.due_on >= today, Milestone.due_on <= soon).order_by(
                Milestone.due_on, Milestone.id
            )
        )
    )
    late = owned.where(Milestone.due_on < today)
    digest.overdue = list(
        db.session.scalars(late.order_by(Milestone.due_on, Milestone.id).limit(MOST_LISTED))
    )
    digest.overdue_count = (
        db.session.scalar(sa.select(sa.func.count()).select_from(late.subquery())) or 0
    )
    if mentees:
        digest.mentees = mentees_needing_help(city, today)
    open_round = rounds_read.open_round_of(city.id)
    if open_round is not None and open_round.due_on <= soon:
        reported = rounds_read.reported_in(open_round, city.id)
        items = rounds_read.current_items(open_round.id, approved=False, city_id=city.id)
        unreported = sum(1 for key in items if key not in reported)
        if unreported:
            digest.round, digest.round_unreported = open_round, unreported
    return digest


def mentees_needing_help(city: City, today: date) -> list[mentorships_read.Need]:
    """The current mentees of `city` (a mentor city) over the threshold, most severe first."""
    programme = overview.current_programme()
    if programme is None:
        return []
    config = current_app.config
    needs, _count, _mentees = mentee_read.needing(
        programme,
        today,
        config["STALE_AFTER_DAYS"],
        config["HELP_THRESHOLD"],
        mentor=city.id,
        limit=None,
    )
    return needs


@dataclass
class ProgrammeDigest:
    attention: overview.Attention
    updates: int  # progress reports entered in the last seven days (not loaded from seeds)
    busiest: list[tuple[str, int]]  # cities by reports entered in the last seven days
    done: int  # milestones marked done in the last seven days

    @property
    def empty(self) -> bool:
        a = self.attention
        return not (a.overdue_count or a.risky_count or a.stale_count or self.updates or self.done)


def programme_digest(today: date) -> ProgrammeDigest:
    since = datetime.combine(today - timedelta(days=7), datetime.min.time(), tzinfo=UTC)
    recent = sa.and_(ProgressUpdate.created_at >= since, ProgressUpdate.entered())
    busiest = [
        (name, count)
        for name, count in db.session.execute(
            sa.select(City.name, sa.func.count(ProgressUpdate.id))
            .join(Action, ProgressUpdate.action_id == Action.id)
            .join(Plan, Action.plan_id == Plan.id)
            .join(City, Plan.city_id == City.id)
            .where(recent)
            .group_by(City.name)
            .order_by(sa.func.count(ProgressUpdate.id).desc(), City.name)
            .limit(10)
        )
    ]
    return ProgrammeDigest(
        overview.needs_attention(today, current_app.config["STALE_AFTER_DAYS"]),
        db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate).where(recent))
        or 0,
        busiest,
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Milestone.completed_on >= today - timedelta(days=7),
                Milestone.completed_on <= today,
            )
        )
        or 0,
    )
