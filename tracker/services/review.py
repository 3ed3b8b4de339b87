"""Review before publishing: reports entered while review is required wait for a decision.

`entered` is told of every report just stored (by the web, the API, an import): with review
off it is approved on entry, as it always was, and the published state follows it; with review
required it gets a review record, and reviewers who asked for it are written to at once (the
others see it in their digest). `decide` approves or returns reports: a decision is a record of
its own, final, audited, and an approval brings the published state up to date. Nobody decides
on their own report; a reviewer decides for the cities they review; a return needs a comment,
and its author is written to, in their language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from tracker import mail
from tracker.domain import permissions
from tracker.domain.errors import Conflict, PermissionDenied, Unprocessable
from tracker.domain.permissions import Actor
from tracker.extensions import db
from tracker.models import (
    Action,
    Indicator,
    IndicatorValue,
    Milestone,
    OutgoingMail,
    Plan,
    ProgressUpdate,
    Review,
    ReviewDecision,
    ReviewGrant,
    User,
)
from tracker.services import published, reminders
from tracker.services.audit import record_event


def required() -> bool:
    return bool(current_app.config["REVIEW"] == "required")


@dataclass(frozen=True)
class Subject:
    """What a report is about, as a review needs it."""

    kind: str
    city_id: int | None
    entity: tuple[str, int | None]  # the audit trail's (entity type, id)
    action_id: int | None = None
    milestone_id: int | None = None


def subjects(update_ids: Sequence[int], value_ids: Sequence[int]) -> dict[tuple[str, int], Subject]:
    """Each report's subject, keyed ("update", id) or ("value", id): two queries at most."""
    found: dict[tuple[str, int], Subject] = {}
    action_plan, milestone_plan, milestone_action = aliased(Plan), aliased(Plan), aliased(Action)
    far_plan = aliased(Plan)  # the plan of a milestone's action
    if update_ids:
        rows = db.session.execute(
            sa.select(
                ProgressUpdate.id,
                ProgressUpdate.action_id,
                ProgressUpdate.milestone_id,
                sa.func.coalesce(action_plan.city_id, milestone_plan.city_id, far_plan.city_id),
            )
            .outerjoin(Action, ProgressUpdate.action_id == Action.id)
            .outerjoin(action_plan, Action.plan_id == action_plan.id)
            .outerjoin(Milestone, ProgressUpdate.milestone_id == Milestone.id)
            .outerjoin(milestone_plan, Milestone.plan_id == milestone_plan.id)
            .outerjoin(milestone_action, Milestone.action_id == milestone_action.id)
            .outerjoin(far_plan, milestone_action.plan_id == far_plan.id)
            .where(ProgressUpdate.id.in_(update_ids))
        )
        for update_id, action_id, milestone_id, city_id in rows:
            found[("update", update_id)] = (
                Subject("progress", city_id, ("action", action_id), action_id=action_id)
                if action_id is not None
                else Subject(
                    "milestone", city_id, ("milestone", milestone_id), milestone_id=milestone_id
                )
            )
    if value_ids:
        values_rows = db.session.execute(
            sa.select(IndicatorValue.id, IndicatorValue.indicator_id, Plan.city_id)
            .join(Indicator, IndicatorValue.indicator_id == Indicator.id)
            .join(Action, Indicator.action_id == Action.id)
            .join(Plan, Action.plan_id == Plan.id)
            .where(IndicatorValue.id.in_(value_ids))
        )
        for value_id, indicator_id, city_id in values_rows:
            found[("value", value_id)] = Subject("indicator", city_id, ("indicator", indicator_id))
    return found


def entered(
    actor: Actor,
    *,
    updates: Sequence[int] = (),
    values: Sequence[int] = (),
    approve: bool = False,
) -> list[Review]:
    """Reports just stored by `actor`: approved on entry with review off; else each waits for
    review, or with `approve` (an import by someone who reviews those cities) is approved
    at once, recorded as such. Returns the reviews made."""
    found = subjects(updates, values)
    if not required():
        _publish(found.values())
        return []
    reviews = [
        Review(
            update_id=ident if which == "update" else None,
            value_id=ident if which == "value" else None,
            kind=subject.kind,
            city_id=subject.city_id,
            author_id=actor.id,
        )
        for (which, ident), subject in found.items()
    ]
    db.session.add_all(reviews)
    db.session.flush()
    if approve:
        decide(actor, reviews, "approved", None, through="import", own_allowed=True)
    else:
        _tell_reviewers(reviews)
    return reviews


def require_batch_reviewer(actor: Actor) -> None:
    """Only a reviewer may approve an import as it is made (each row's city is checked too)."""
    if not permissions.is_reviewer(actor):
        raise PermissionDenied(_("Only reviewers may approve an import as it is made."))


def decide(
    actor: Actor,
    reviews: Sequence[Review],
    decision: str,
    comment: str | None,
    *,
    through: str,
    own_allowed: bool = False,
) -> list[ReviewDecision]:
    """Approve or return these reports, all or none: 403 for a city the actor does not review
    or their own report, 409 for one decided already, 422 for a return without a comment."""
    comment = (comment or "").strip() or None
    if decision == "returned" and comment is None:
        raise Unprocessable([("comment", _("Say what needs changing: the author reads it."))])
    for review in reviews:
        permissions.require_reviewer(actor, review.city_id)
        if review.author_id == actor.id and actor.id is not None and not own_allowed:
            raise PermissionDenied(
                _("Nobody approves or returns their own report: another reviewer decides.")
            )
        if review.decision is not None:
            raise Conflict(
                _("This report was %(state)s already.", state=_state_word(review.decision.decision))
            )
    made = [
        ReviewDecision(
            review=review,
            decision=decision,
            reviewer_id=actor.id,
            reviewer=actor.email,
            comment=comment,
            through=through,
        )
        for review in reviews
    ]
    db.session.add_all(made)
    try:
        db.session.flush()
    except IntegrityError as race:  # another reviewer decided the same report a moment ago
        db.session.rollback()
        raise Conflict(_("This report was decided meanwhile by another reviewer.")) from race
    found = subjects(
        [r.update_id for r in reviews if r.update_id is not None],
        [r.value_id for r in reviews if r.value_id is not None],
    )
    for review in reviews:
        subject = found[_key(review)]
        record_event(
            actor,
            "review.approve" if decision == "approved" else "review.return",
            subject.entity[0],
            subject.entity[1],
            city_id=review.city_id,
            before={"review": "submitted"},
            after={
                "review": decision,
                "update_id": review.update_id,
                "value_id": review.value_id,
                "comment": comment,
                "through": through,
            },
        )
    db.session.flush()
    if decision == "approved":
        _publish(found.values())
    else:
        _tell_authors(made)
    return made


def _key(review: Review) -> tuple[str, int]:
    return (
        ("update", review.update_id)
        if review.update_id is not None
        else ("value", review.value_id or 0)
    )


def _state_word(decision: str) -> str:
    return _("approved") if decision == "approved" else _("returned")


def _publish(found: Any) -> None:
    subjects_ = list(found)
    published.refresh_actions({s.action_id for s in subjects_ if s.action_id is not None})
    published.refresh_milestones({s.milestone_id for s in subjects_ if s.milestone_id is not None})
    db.session.expire_all()


def reviewers_of(city_ids: set[int | None]) -> list[User]:
    """Active accounts that review any of these cities: leads, administrators, and those
    granted the permission for one of them."""
    granted = sa.select(ReviewGrant.user_id).where(
        ReviewGrant.city_id.in_([c for c in city_ids if c is not None])
    )
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.is_active,
                sa.or_(User.role.in_(permissions.PROGRAMME_ROLES), User.id.in_(granted)),
            )
            .order_by(User.id)
        )
    )


def _queue_mail(rows: list[OutgoingMail]) -> None:
    if rows:
        db.session.flush()
        mail.deliver_later([r.id for r in rows])


def _tell_reviewers(reviews: list[Review]) -> None:
    """Write at once to reviewers who chose to hear of each submission (review_mail
    "immediate"); one message for the reports of one entry."""
    if not reviews:
        return
    cities = {r.city_id for r in reviews}
    rows = []
    for user in reviewers_of(cities):
        if user.review_mail != "immediate" or user.id == reviews[0].author_id:
            continue
        mine = [r for r in reviews if permissions.can_review(user, r.city_id)]
        if mine:
            rows.append(
                reminders.record(
                    user, "review", f"review-{reviews[0].id}", "submitted", reviews=mine
                )
            )
    _queue_mail(rows)


def _tell_authors(made: list[ReviewDecision]) -> None:
    """A returned report's author hears of it, with the comment, in their language."""
    rows = []
    for decision in made:
        review = decision.review
        if review.author is None or not review.author.is_active:
            continue
        rows.append(
            reminders.record(
                review.author,
                "returned",
                f"returned-{review.id}",
                "returned",
                review=review,
                decision=decision,
                report=_described(review),
            )
        )
    _queue_mail(rows)


def _described(review: Review) -> dict[str, Any]:
    """What a message says of a report: its subject's title, its date, and where to see it."""
    if review.update_id is not None:
        update = db.session.get_one(ProgressUpdate, review.update_id)
        if update.action is not None:
            return {
                "title": update.action.title,
                "on": update.reported_on,
                "endpoint": ("actions.detail", {"action_id": update.action_id}),
            }
        assert update.milestone is not None
        return {
            "title": update.milestone.title,
            "on": update.reported_on,
            "endpoint": ("milestones.detail", {"milestone_id": update.milestone_id}),
        }
    value = db.session.get_one(IndicatorValue, review.value_id)
    return {
        "title": value.indicator.name,
        "on": value.measured_on,
        "endpoint": ("actions.detail", {"action_id": value.indicator.action_id}),
    }
