"""What an editor's city has open: actions and milestones, what is due or overdue, what is stale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import Action, Milestone, Plan
from tracker.queries.milestones import state_expression


@dataclass
class CityWork:
    actions: list[Action]
    stale_ids: set[int]
    milestones: list[tuple[Milestone, str]]
    plans: list[Plan]

    @property
    def attention(self) -> int:
        return len(self.stale_ids) + sum(
            1 for _m, s in self.milestones if s in ("overdue", "due_soon")
        )


def open_work(city_id: int, today: date, stale_days: int, soon_days: int) -> CityWork:
    plans = list(
        db.session.scalars(sa.select(Plan).where(Plan.city_id == city_id).order_by(Plan.id))
    )
    actions = list(
        db.session.scalars(
            sa.select(Action)
            .join(Action.plan)
            .options(joinedload(Action.plan))
            .where(
                Plan.city_id == city_id,
                sa.or_(Action.status.is_(None), Action.status.not_in(("done", "cancelled"))),
            )
            .order_by(Action.last_reported_on.is_(None).desc(), Action.last_reported_on, Action.id)
        )
    )
    cutoff = today - timedelta(days=stale_days)
    stale = {a.id for a in actions if a.last_reported_on is None or a.last_reported_on < cutoff}
    state = state_expression(today, soon_days)
    milestones = [
        (m, s)
        for m, s in db.session.execute(
            sa.select(Milestone, state)
            .outerjoin(Action, Milestone.action_id == Action.id)
            .join(Plan, sa.or_(Milestone.plan_id == Plan.id, Action.plan_id == Plan.id))
            .where(Plan.city_id == city_id, Milestone.completed_on.is_(None))
            .order_by(Milestone.due_on)
        )
    ]
    return CityWork(actions, stale, milestones, plans)
