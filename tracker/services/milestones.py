"""Milestone state, derived from the due date, the completion date and today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, get_args

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, selectinload

from tracker.extensions import db
from tracker.i18n import written_date
from tracker.models import Action, City, Milestone, Plan, ProgressUpdate, Sector
from tracker.schemas.reports import MilestoneReport
from tracker.services import permissions
from tracker.services.audit import check_version, record_event
from tracker.services.errors import Invalid, Unprocessable
from tracker.services.permissions import Actor

MilestoneState = Literal["done", "overdue", "due_soon", "upcoming"]
MILESTONE_STATES: tuple[str, ...] = get_args(MilestoneState)


def milestone_state(due_on: date, completed_on: date | None, today: date, soon_days: int) -> str:
    if completed_on is not None:
        return "done"
    if due_on < today:
        return "overdue"
    if due_on <= today + timedelta(days=soon_days):
        return "due_soon"
    return "upcoming"


def state_expression(today: date, soon_days: int) -> sa.ColumnElement[str]:
    """The same rule as `milestone_state`, as SQL, so dashboards can group by it."""
    return sa.case(
        (Milestone.completed_on.is_not(None), "done"),
        (Milestone.due_on < today, "overdue"),
        (Milestone.due_on <= today + timedelta(days=soon_days), "due_soon"),
        else_="upcoming",
    )


def history(milestone_id: int) -> list[ProgressUpdate]:
    return list(
        db.session.scalars(
            sa.select(ProgressUpdate)
            .where(ProgressUpdate.milestone_id == milestone_id)
            .options(selectinload(ProgressUpdate.author))
            .order_by(ProgressUpdate.id.desc())
        )
    )


def rule_errors(report: MilestoneReport) -> list[tuple[str | None, str]]:
    """What each kind of report needs, whatever is stored: the same words at every door."""
    errors: list[tuple[str | None, str]] = []
    if report.kind == "done" and report.completed_on is None:
        errors.append(("completed_on", _("Give the date it was done.")))
    if report.kind == "move" and report.due_on is None:
        errors.append(("due_on", _("Give the new due date.")))
    if report.kind == "move" and not (report.note or "").strip():
        errors.append(("note", _("Say why the date moves.")))
    if report.kind == "reopen" and not (report.note or "").strip():
        errors.append(("note", _("Say why the milestone is reopened.")))
    return errors


def report(
    actor: Actor, milestone: Milestone, report: MilestoneReport, *, today: date
) -> ProgressUpdate:
    """A milestone done, moved or reopened, as `report` says: the one way the web forms and
    the API report on a milestone."""
    permissions.require_milestone_editor(actor, milestone)
    if errors := rule_errors(report):
        raise Unprocessable(errors)
    version = report.version if report.version is not None else milestone.version
    if report.kind == "done":
        return mark_done(
            actor,
            milestone,
            version=version,
            completed_on=report.completed_on or today,
            evidence_url=report.evidence_url,
            note=report.note,
            today=today,
        )
    reason = report.note or ""
    if report.kind == "reopen":
        return reopen(actor, milestone, version=version, reason=reason, today=today)
    return move_due_date(
        actor, milestone, version=version, due_on=report.due_on or today, reason=reason, today=today
    )


def moves(milestone_ids: list[int]) -> list[ProgressUpdate]:
    """The due-date moves of these milestones, in the order they were made."""
    return list(
        db.session.scalars(
            sa.select(ProgressUpdate)
            .where(
                ProgressUpdate.milestone_id.in_(milestone_ids), ProgressUpdate.due_on.is_not(None)
            )
            .order_by(ProgressUpdate.id)
        )
    )


def mark_done(
    actor: Actor,
    milestone: Milestone,
    *,
    version: int | None,
    completed_on: date,
    evidence_url: str | None,
    note: str | None,
    today: date,
) -> ProgressUpdate:
    permissions.require_milestone_editor(actor, milestone)
    check_version(milestone, version, {"completed_on": completed_on}, "milestone")
    if milestone.completed_on is not None:
        raise Invalid(_("This milestone is already recorded as done."), field="completed_on")
    if completed_on > today:
        raise Invalid(_("The completion date cannot be in the future."), field="completed_on")
    note = (note or "").strip() or None
    return _append_report(
        actor,
        milestone,
        "milestone.done",
        {"completed_on": completed_on},
        audited={"evidence_url": evidence_url, "note": note},
        reported_on=today,
        status="done",
        completed_on=completed_on,
        evidence_url=evidence_url,
        note=note,
    )


def move_due_date(
    actor: Actor,
    milestone: Milestone,
    *,
    version: int | None,
    due_on: date,
    reason: str,
    today: date,
) -> ProgressUpdate:
    permissions.require_milestone_editor(actor, milestone)
    check_version(milestone, version, {"due_on": due_on}, "milestone")
    if milestone.completed_on is not None:
        raise Invalid(
            _(
                "This milestone was done on %(date)s: a done milestone keeps its date. If it was "
                "marked done by mistake, reopen it first.",
                date=written_date(milestone.completed_on),
            ),
            field="due_on",
        )
    if not reason or not reason.strip():
        raise Invalid(_("Say why the date moves."), field="reason")
    if due_on == milestone.due_on:
        raise Invalid(_("That is the current due date."), field="due_on")
    if milestone.ends_on is not None and due_on > milestone.ends_on:
        raise Invalid(_("The due date cannot be after the event's last day."), field="due_on")
    note = reason.strip()
    return _append_report(
        actor,
        milestone,
        "milestone.move",
        {"due_on": due_on},
        audited={"reason": note},
        reported_on=today,
        due_on=due_on,
        note=note,
    )


def reopen(
    actor: Actor,
    milestone: Milestone,
    *,
    version: int | None,
    reason: str,
    today: date,
) -> ProgressUpdate:
    """Undo a "done" recorded by mistake: the milestone is open again, and its history says
    when, by whom and why (the done report stays)."""
    permissions.require_milestone_editor(actor, milestone)
    check_version(milestone, version, {"completed_on": None}, "milestone")
    if milestone.completed_on is None:
        raise Invalid(_("This milestone is not done; there is nothing to reopen."), field="reason")
    if not reason or not reason.strip():
        raise Invalid(_("Say why the milestone is reopened."), field="reason")
    note = reason.strip()
    return _append_report(
        actor,
        milestone,
        "milestone.reopen",
        {"completed_on": None},
        audited={"reason": note},
        reported_on=today,
        note=note,
    )


def _append_report(
    actor: Actor,
    milestone: Milestone,
    verb: str,
    change: dict[str, Any],
    *,
    audited: dict[str, Any],
    **report: Any,
) -> ProgressUpdate:
    """Append a report to the milestone's history, apply `change` to the milestone, and audit
    both: the one shape of done, move and reopen."""
    before = {k: getattr(milestone, k) for k in change}
    update = ProgressUpdate(milestone_id=milestone.id, author_id=actor.id, **report)
    db.session.add(update)
    for key, value in change.items():
        setattr(milestone, key, value)
    db.session.flush()
    record_event(
        actor,
        verb,
        "milestone",
        milestone.id,
        city_id=permissions.milestone_city_id(milestone),
        before=before,
        after={**change, **audited},
    )
    return update


@dataclass
class MilestoneFilter:
    city: str | None = None
    country: str | None = None
    sector: str | None = None
    state: str | None = None


@dataclass
class MilestoneRow:
    milestone: Milestone
    state: str
    city_name: str | None
    city_slug: str | None
    moves: int


LISTING_LIMIT = 400


def listing(
    filters: MilestoneFilter,
    today: date,
    soon_days: int,
    *,
    limit: int | None = LISTING_LIMIT,
    offset: int = 0,
) -> tuple[list[MilestoneRow], int]:
    """Programme and city milestones, filtered, with their state and how often each moved;
    the first LISTING_LIMIT by due date, and the full count."""
    state = state_expression(today, soon_days)
    action_plan = aliased(Plan)
    city_id = sa.func.coalesce(Plan.city_id, action_plan.city_id)
    # Counted for the rows shown only (through the milestone_id index), not for every update.
    moves = (
        sa.select(sa.func.count())
        .where(ProgressUpdate.milestone_id == Milestone.id, ProgressUpdate.due_on.is_not(None))
        .correlate(Milestone)
        .scalar_subquery()
    )
    query = (
        sa.select(Milestone, state, City.name, City.slug, moves)
        .outerjoin(Plan, Milestone.plan_id == Plan.id)
        .outerjoin(Action, Milestone.action_id == Action.id)
        .outerjoin(action_plan, Action.plan_id == action_plan.id)
        .outerjoin(City, City.id == city_id)
    )
    # The count joins the owners' cities only when a filter is about them.
    counted = sa.select(sa.func.count(Milestone.id))
    if filters.city or filters.country:
        counted = counted.select_from(query.get_final_froms()[0])
    if filters.city:
        query, counted = (q.where(City.slug == filters.city) for q in (query, counted))
    if filters.country:
        query, counted = (q.where(City.country == filters.country) for q in (query, counted))
    if filters.state:
        query, counted = (q.where(state == filters.state) for q in (query, counted))
    if filters.sector:
        in_sector = (
            sa.select(Action.id)
            .join(Sector, Action.sector_id == Sector.id)
            .where(
                Sector.slug == filters.sector,
                sa.or_(Action.id == Milestone.action_id, Action.plan_id == Milestone.plan_id),
            )
            .exists()
        )
        query, counted = (q.where(in_sector) for q in (query, counted))
    total = db.session.scalar(counted)
    rows = db.session.execute(
        query.order_by(Milestone.due_on, Milestone.id).limit(limit).offset(offset)
    ).all()
    return [MilestoneRow(m, s, name, slug, n or 0) for m, s, name, slug, n in rows], total or 0
