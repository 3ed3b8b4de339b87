"""Milestone reports: done, moved or reopened, each appended to the milestone's history."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from tracker.domain import permissions
from tracker.domain.errors import Invalid, Unprocessable
from tracker.domain.permissions import Actor
from tracker.extensions import db
from tracker.i18n import written_date
from tracker.models import Milestone, ProgressUpdate
from tracker.schemas.reports import MILESTONE_RULES, MilestoneReport
from tracker.schemas.rules import broken
from tracker.services import ledger, review
from tracker.services.audit import apply_recorded, check_version


def rule_errors(report: MilestoneReport) -> list[tuple[str | None, str]]:
    """What each kind of report needs, whatever is stored (schemas/reports.py, where the
    API's document is made from the same rules): the same words at every door."""
    return broken(MILESTONE_RULES, report)


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
    (update_id,) = ledger.insert_rows(
        [{"milestone_id": milestone.id, "author_id": actor.id, **report}]
    )
    review.entered(actor, updates=[update_id])
    apply_recorded(
        actor,
        milestone,
        change,
        verb=verb,
        entity_type="milestone",
        city_id=permissions.milestone_city_id(milestone),
        noted=audited,
    )
    return db.session.get_one(ProgressUpdate, update_id)
