"""Reporting rounds: a lead opens one for some cities, editors report in it (one submission for
the whole city, stored together or not at all), and a lead closes it, which freezes the
snapshot of every action, indicator and milestone of its cities and fixes its content hash.

A report belongs to the round open for its city when it was entered (`queries/rounds.py`):
one entered after the close, even for a date in the closed round's period, falls in the next
round, and the frozen snapshot cannot change (the database refuses, migration 0019)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import date
from functools import partial
from typing import TypeVar

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.domain import permissions
from tracker.domain.errors import DomainError, Invalid, NotFound, RoundClosed, Unprocessable
from tracker.domain.permissions import Actor
from tracker.extensions import db
from tracker.models import (
    Action,
    City,
    Indicator,
    Milestone,
    ReportingRound,
    RoundCity,
    SnapshotItem,
)
from tracker.models.base import utcnow
from tracker.queries import items
from tracker.queries import rounds as read
from tracker.schemas.reports import IndicatorValueReport, ProgressReport
from tracker.schemas.rounds import RoundOpening, RoundReport
from tracker.services import milestones, progress, review
from tracker.services.audit import record_event


def content_hash(lines: Iterable[tuple[int, str, int, str]]) -> str:
    """The SHA-256 (hex) of a snapshot: one line per item, `city kind item content`, in the
    order of (city, kind, item), each content as stored (canonical JSON)."""
    digest = hashlib.sha256()
    for city_id, kind, item_id, content in sorted(lines, key=lambda line: line[:3]):
        digest.update(f"{city_id} {kind} {item_id} {content}\n".encode())
    return digest.hexdigest()


def open_round(actor: Actor, opening: RoundOpening) -> ReportingRound:
    """A new round for the cities named: refused when a city already reports in an open round."""
    permissions.require_programme_editor(actor)
    name = opening.name.strip()
    # Rules between dates that a JSON schema cannot state: the API answers them as it answers
    # what the service refuses (409, naming the field), as for a report's date.
    if not name:
        raise Invalid(_("Give the round a name."), field="name")
    if opening.period_end < opening.period_start:
        raise Invalid(_("The period cannot end before it begins."), field="period_end")
    if opening.due_on < opening.period_start:
        raise Invalid(_("The due date cannot be before the period begins."), field="due_on")
    if db.session.scalar(sa.select(ReportingRound.id).where(ReportingRound.name == name)):
        raise Invalid(_("A round of that name exists already."), field="name")
    slugs = sorted(set(opening.cities))
    cities = list(db.session.scalars(sa.select(City).where(City.slug.in_(slugs))))
    unknown = sorted(set(slugs) - {c.slug for c in cities})
    if unknown:
        raise Invalid(_("No city at: %(slugs)s.", slugs=", ".join(unknown[:10])), field="cities")
    busy = db.session.scalars(
        sa.select(City.name)
        .join(RoundCity, RoundCity.city_id == City.id)
        .join(ReportingRound, ReportingRound.id == RoundCity.round_id)
        .where(RoundCity.city_id.in_([c.id for c in cities]), ReportingRound.closed_at.is_(None))
        .order_by(City.name)
    ).all()
    if busy:
        raise Invalid(
            _(
                "These cities report in an open round already: %(names)s.",
                names=", ".join(busy[:10]),
            ),
            field="cities",
        )
    round_ = ReportingRound(
        name=name,
        period_start=opening.period_start,
        period_end=opening.period_end,
        due_on=opening.due_on,
        opened_by_id=actor.id,
    )
    db.session.add(round_)
    db.session.flush()
    db.session.add_all(RoundCity(round_id=round_.id, city_id=c.id) for c in cities)
    record_event(
        actor,
        "round.open",
        "reporting_round",
        round_.id,
        before={},
        after={
            "name": name,
            "period_start": opening.period_start,
            "period_end": opening.period_end,
            "due_on": opening.due_on,
            "cities": sorted(c.slug for c in cities),
        },
    )
    db.session.flush()
    return round_


def close_round(actor: Actor, round_: ReportingRound) -> ReportingRound:
    """Freeze the round's snapshot (with review required, the approved state) and its hash."""
    permissions.require_programme_editor(actor)
    if db.session.get_bind().dialect.name != "sqlite":  # one close at a time (see progress.py)
        db.session.execute(
            sa.select(ReportingRound.id).where(ReportingRound.id == round_.id).with_for_update()
        )
        db.session.refresh(round_)
    if not round_.is_open:
        raise RoundClosed(_("This round is closed: its snapshot cannot change."))
    state = read.current_items(round_.id, approved=review.required())
    lines = [(*key, items.canonical(content)) for key, content in state.items()]
    if lines:
        db.session.execute(
            sa.insert(SnapshotItem),
            [
                {"round_id": round_.id, "city_id": c, "kind": k, "item_id": i, "content": text}
                for c, k, i, text in lines
            ],
        )
    round_.content_hash = content_hash(lines)
    round_.closed_at = utcnow()
    round_.closed_by_id = actor.id
    record_event(
        actor,
        "round.close",
        "reporting_round",
        round_.id,
        before={},
        after={"items": len(lines), "content_hash": round_.content_hash},
    )
    db.session.flush()
    return round_


def report(
    actor: Actor, round_: ReportingRound, city: City, body: RoundReport, *, today: date
) -> int:
    """A city's reports for the round, each through the door it would take alone (progress,
    indicator value, milestone done): all stored, or, when any row is refused, nothing (the
    caller rolls back) and every refused row named (Unprocessable, field `actions[2]` and so
    on). Returns the number of reports stored."""
    permissions.require_city_editor(actor, city.id)
    if not round_.is_open:
        raise RoundClosed(_("This round is closed: report in the open round."))
    if city not in round_.cities:
        raise NotFound(_("This city does not report in this round."))
    if body.empty:
        raise Invalid(_("Nothing to store: fill in at least one new value."))
    errors: list[tuple[str | None, str]] = []

    def attempt(where: str, write: Callable[[], object]) -> None:
        try:
            with db.session.begin_nested():
                write()
        except DomainError as exc:
            reasons = exc.errors if isinstance(exc, Unprocessable) else [(exc.field, exc.message)]
            errors.extend((where, reason) for _field, reason in reasons)

    for n, row in enumerate(body.actions):
        fields = row.model_dump(exclude={"action_id"}, exclude_none=True)
        report = ProgressReport(**{"reported_on": body.reported_on, **fields})
        action = _own(Action, row.action_id, city)
        attempt(f"actions[{n}]", partial(progress.log_progress, actor, action, report, today=today))
    for n, value in enumerate(body.values):
        measured = IndicatorValueReport(measured_on=body.reported_on, value=value.value)
        indicator = _own(Indicator, value.indicator_id, city)
        attempt(
            f"values[{n}]",
            partial(progress.record_indicator_value, actor, indicator, measured, today=today),
        )
    for n, done in enumerate(body.milestones):
        milestone = _own(Milestone, done.milestone_id, city)
        attempt(
            f"milestones[{n}]",
            partial(
                milestones.mark_done,
                actor,
                milestone,
                version=milestone.version,
                completed_on=done.completed_on,
                evidence_url=None,
                note=None,
                today=today,
            ),
        )
    if errors:
        raise Unprocessable(errors)
    return len(body.actions) + len(body.values) + len(body.milestones)


Own = TypeVar("Own", Action, Indicator, Milestone)


def _own(model: type[Own], record_id: int, city: City) -> Own:
    """A record of `city`'s (an item of another city is refused as if it did not exist)."""
    record = db.session.get(model, record_id)
    if record is None:
        owner = None
    elif isinstance(record, Milestone):
        owner = permissions.milestone_city_id(record)
    else:
        owner = permissions.city_of(record)
    if record is None or owner != city.id:
        raise NotFound(_("No such item of this city: %(id)s.", id=record_id))
    return record
