"""What review pages and the API read: the queue of reports waiting for a decision (each with
its change against the last approved state), counts, and the review state of reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.domain import permissions
from tracker.domain.permissions import Actor
from tracker.extensions import db
from tracker.models import (
    Action,
    City,
    Indicator,
    IndicatorValue,
    Milestone,
    ProgressUpdate,
    Review,
    ReviewDecision,
)
from tracker.queries import keyset
from tracker.queries.published import published_values


@dataclass(frozen=True)
class Change:
    """One thing a report changes: `what` (status, percent, value, due, done), the last
    approved value and the reported one."""

    what: str
    before: Any
    after: Any
    unit: str | None = None


@dataclass
class QueueItem:
    review: Review
    kind: str
    city: str | None  # the city's name; None for a programme milestone
    title: str
    endpoint: tuple[str, dict[str, int]]  # the report's subject page
    reported_on: date
    submitted_at: datetime
    author: str
    note: str | None
    evidence_url: str | None
    correction: bool
    own: bool
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class QueueFilter:
    city: str | None = None  # a city's slug
    kind: str | None = None


def waiting() -> sa.ColumnElement[bool]:
    """True for reviews with no decision yet (SQL)."""
    return ~sa.select(ReviewDecision.id).where(ReviewDecision.review_id == Review.id).exists()


def visible(actor: Actor) -> list[sa.ColumnElement[bool]]:
    """The waiting reviews `actor` sees in the queue: their cities' (all, for leads), their
    own included (marked: another reviewer decides)."""
    conditions: list[sa.ColumnElement[bool]] = [waiting()]
    if not permissions.is_programme_editor(actor):
        conditions.append(Review.city_id.in_(sorted(permissions.review_city_ids(actor))))
    return conditions


def mine_to_decide(actor: Actor) -> list[sa.ColumnElement[bool]]:
    """The reviews `actor` may decide: those they see, but their own."""
    conditions = visible(actor)
    if actor.id is not None:
        conditions.append(sa.or_(Review.author_id.is_(None), Review.author_id != actor.id))
    return conditions


def count_to_decide(actor: Actor) -> int:
    if not permissions.is_reviewer(actor):
        return 0
    query = sa.select(sa.func.count()).select_from(Review).where(*mine_to_decide(actor))
    return int(db.session.scalar(query) or 0)


def count_waiting() -> int:
    """Every report awaiting review (the signed-in dashboards' mark)."""
    return int(
        db.session.scalar(sa.select(sa.func.count()).select_from(Review).where(waiting())) or 0
    )


def queue(
    actor: Actor, filters: QueueFilter, *, limit: int, offset: int = 0, after: int | None = None
) -> tuple[list[QueueItem], int | None, int | None]:
    """A page of the waiting reports `actor` sees, oldest first, how many there are (not
    counted for a page asked `after` a review's id) and the review to start the next page
    after: a fixed number of queries whatever the page holds."""
    conditions = visible(actor)
    if filters.kind:
        conditions.append(Review.kind == filters.kind)
    if filters.city:
        conditions.append(Review.city_id.in_(sa.select(City.id).where(City.slug == filters.city)))
    total = None
    order = (Review.submitted_at, Review.id)
    if after is None:
        total = int(
            db.session.scalar(sa.select(sa.func.count()).select_from(Review).where(*conditions))
            or 0
        )
    else:
        later = keyset.following(order, after)
        if later is None:
            return [], None, None
        conditions.append(later)
    reviews = list(
        db.session.scalars(
            sa.select(Review)
            .where(*conditions)
            .options(selectinload(Review.city), selectinload(Review.author))
            .order_by(*order)
            .limit(limit + 1)
            .offset(offset)
        )
    )
    shown, next_after = keyset.cut(reviews, limit, lambda review: review.id)
    return items(actor, shown), total, next_after


def items(actor: Actor, reviews: list[Review]) -> list[QueueItem]:
    updates = {
        u.id: u
        for u in db.session.scalars(
            sa.select(ProgressUpdate)
            .where(ProgressUpdate.id.in_([r.update_id for r in reviews if r.update_id]))
            .options(
                selectinload(ProgressUpdate.action),
                selectinload(ProgressUpdate.milestone),
                selectinload(ProgressUpdate.indicator),
            )
        )
    }
    values = {
        v.id: v
        for v in db.session.scalars(
            sa.select(IndicatorValue)
            .where(IndicatorValue.id.in_([r.value_id for r in reviews if r.value_id]))
            .options(selectinload(IndicatorValue.indicator))
        )
    }
    indicator_ids = {u.indicator_id for u in updates.values() if u.indicator_id} | {
        v.indicator_id for v in values.values()
    }
    last_values = {i: shown[-1][1] for i, shown in published_values(sorted(indicator_ids)).items()}
    return [_item(actor, r, updates, values, last_values) for r in reviews]


def _item(
    actor: Actor,
    review: Review,
    updates: dict[int, ProgressUpdate],
    values: dict[int, IndicatorValue],
    last_values: dict[int, float],
) -> QueueItem:
    common: dict[str, Any] = {
        "review": review,
        "kind": review.kind,
        "city": review.city.name if review.city else None,
        "submitted_at": review.submitted_at,
        "author": review.author.display_name if review.author else "-",
        "own": actor.id is not None and review.author_id == actor.id,
    }
    if review.value_id is not None:
        value = values[review.value_id]
        indicator = value.indicator
        return QueueItem(
            **common,
            title=indicator.name,
            endpoint=("actions.detail", {"action_id": indicator.action_id}),
            reported_on=value.measured_on,
            note=value.note,
            evidence_url=None,
            correction=False,
            changes=[Change("value", last_values.get(indicator.id), value.value, indicator.unit)],
        )
    update = updates[review.update_id or 0]
    if update.milestone is not None:
        return QueueItem(
            **common,
            title=update.milestone.title,
            endpoint=("milestones.detail", {"milestone_id": update.milestone.id}),
            reported_on=update.reported_on,
            note=update.note,
            evidence_url=update.evidence_url,
            correction=False,
            changes=_milestone_changes(update.milestone, update),
        )
    action = update.action
    assert action is not None
    changes = [
        Change("status", action.published_status, update.status),
        Change("percent", action.published_percent, update.percent_complete),
    ]
    if update.indicator is not None:
        changes.append(
            Change(
                "value",
                last_values.get(update.indicator.id),
                update.indicator_value,
                update.indicator.unit,
            )
        )
    return QueueItem(
        **common,
        title=action.title,
        endpoint=("actions.detail", {"action_id": action.id}),
        reported_on=update.reported_on,
        note=update.note,
        evidence_url=update.evidence_url,
        correction=update.corrects_id is not None,
        changes=changes,
    )


def _milestone_changes(milestone: Milestone, update: ProgressUpdate) -> list[Change]:
    if update.milestone_event == "move":
        return [Change("due", milestone.published_due_on, update.due_on)]
    return [Change("done", milestone.published_completed_on, update.completed_on)]


@dataclass(frozen=True)
class ReviewState:
    """A report's review state as pages and the API show it."""

    state: str  # submitted, approved, returned
    reviewer: str | None = None
    decided_at: datetime | None = None
    comment: str | None = None


APPROVED_ON_ENTRY = ReviewState("approved")


def states_of(
    update_ids: Iterable[int] = (), value_ids: Iterable[int] = ()
) -> dict[tuple[str, int], ReviewState]:
    """The review state of each report that has a review, keyed ("update"|"value", id); a
    report that has none was approved on entry (APPROVED_ON_ENTRY). One query."""
    updates, values = list(update_ids), list(value_ids)
    if not updates and not values:
        return {}
    found: dict[tuple[str, int], ReviewState] = {}
    for review, decision in db.session.execute(
        sa.select(Review, ReviewDecision)
        .outerjoin(ReviewDecision, ReviewDecision.review_id == Review.id)
        .where(sa.or_(Review.update_id.in_(updates), Review.value_id.in_(values)))
    ):
        state = (
            ReviewState(decision.decision, decision.reviewer, decision.decided_at, decision.comment)
            if decision is not None
            else ReviewState("submitted")
        )
        if review.update_id is not None:
            found[("update", review.update_id)] = state
        elif review.value_id is not None:
            found[("value", review.value_id)] = state
    return found


def of_action(action: Action) -> dict[tuple[str, int], ReviewState]:
    """The review states of an action's reports and its indicators' values (its page)."""
    update_ids = db.session.scalars(
        sa.select(ProgressUpdate.id).where(ProgressUpdate.action_id == action.id)
    ).all()
    value_ids = db.session.scalars(
        sa.select(IndicatorValue.id)
        .join(Indicator, IndicatorValue.indicator_id == Indicator.id)
        .where(Indicator.action_id == action.id)
    ).all()
    return states_of(update_ids, value_ids)
