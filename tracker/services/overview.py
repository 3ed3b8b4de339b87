"""Headline figures of a programme, each computed by one aggregate query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Milestone, Participation, Plan, Programme
from tracker.models.city import PARTICIPATION_ROLES
from tracker.models.plan import LGD_STATUSES
from tracker.services.milestones import MILESTONE_STATES, state_expression


@dataclass
class Headline:
    programme: Programme
    cities_by_role: dict[str, int]
    lgds_by_status: dict[str, int]
    lgds_demo: int
    milestones_by_state: dict[str, int]
    ambassadors: int
    next_milestones: list[Milestone] = field(default_factory=list)

    @property
    def core_gap(self) -> int | None:
        declared = self.programme.declared_core_cities
        if declared is None:
            return None
        return max(declared - self.cities_by_role["core"], 0)

    @property
    def lgds_signed(self) -> int:
        return sum(self.lgds_by_status[s] for s in ("signed", "implementing", "completed"))


def current_programme() -> Programme | None:
    return db.session.scalar(sa.select(Programme).order_by(Programme.starts_on.desc()).limit(1))


def headline(programme: Programme, today: date, soon_days: int) -> Headline:
    roles = dict.fromkeys(PARTICIPATION_ROLES, 0)
    ambassadors = 0
    rows = db.session.execute(
        sa.select(
            Participation.role,
            sa.func.count(),
            sa.func.sum(sa.case((Participation.is_communications_ambassador, 1), else_=0)),
        )
        .where(Participation.programme_id == programme.id)
        .group_by(Participation.role)
    )
    for role, count, ambassador_count in rows:
        roles[role] = count
        ambassadors += ambassador_count or 0

    statuses = dict.fromkeys(LGD_STATUSES, 0)
    demo = 0
    rows = db.session.execute(
        sa.select(Plan.status, Plan.is_demo, sa.func.count())
        .where(Plan.programme_id == programme.id, Plan.kind == "local_green_deal")
        .group_by(Plan.status, Plan.is_demo)
    )
    for status, is_demo, count in rows:
        if status is not None:
            statuses[status] += count
        if is_demo:
            demo += count

    state = state_expression(today, soon_days)
    states = dict.fromkeys(MILESTONE_STATES, 0)
    rows = db.session.execute(
        sa.select(state, sa.func.count())
        .where(Milestone.programme_id == programme.id)
        .group_by(state)
    )
    for name, count in rows:
        states[name] = count

    upcoming = db.session.scalars(
        sa.select(Milestone)
        .where(
            Milestone.programme_id == programme.id,
            Milestone.completed_on.is_(None),
        )
        .order_by(Milestone.due_on)
        .limit(5)
    ).all()
    return Headline(programme, roles, statuses, demo, states, ambassadors, list(upcoming))
