"""Logging progress: append-only updates, and the action's current state derived from them."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from tracker.domain import permissions
from tracker.domain.errors import Invalid
from tracker.domain.permissions import Actor
from tracker.extensions import db
from tracker.models import Action, Indicator, IndicatorValue, ProgressUpdate
from tracker.schemas.reports import IndicatorValueReport, ProgressReport
from tracker.services import ledger, review
from tracker.services.audit import record_event
from tracker.services.report_rules import check_correction, check_report


def _indicator(action: Action, report: ProgressReport) -> Indicator | None:
    if report.indicator_id is None:
        return None
    indicator = db.session.get(Indicator, report.indicator_id)
    if indicator is None or indicator.action_id != action.id:
        raise Invalid(_("That indicator does not belong to this action."), field="indicator_id")
    return indicator


def log_progress(
    actor: Actor,
    action: Action,
    report: ProgressReport,
    *,
    today: date,
    external_id: str | None = None,
    unusual_confirmed: bool = False,
) -> ProgressUpdate:
    """Append an update, or a correction of one, and bring the action's current status and
    percent up to date: the one way every path (web, API, import) writes progress.
    `unusual_confirmed` records in the audit trail that the person confirmed an indicator value
    the plausibility check had questioned."""
    permissions.require_city_editor(actor, action.plan.city_id)
    check_report(report)
    # Lock the action so concurrent reports on it are applied one after the other. (On SQLite a
    # writing transaction holds the database's write lock from its start, so what it read is
    # current and there is no row to lock.)
    if db.session.get_bind().dialect.name != "sqlite":
        action = db.session.scalars(
            sa.select(Action)
            .options(joinedload(Action.plan, innerjoin=True))
            .where(Action.id == action.id)
            .with_for_update(of=Action)
            .execution_options(populate_existing=True)
        ).one()
    target = ledger.Target(
        action.id,
        "",
        action.plan.city_id,
        action.plan.started_on,
        action.status,
        action.percent_complete,
        action.last_reported_on,
    )
    corrected = _corrected(target, report)
    reported_on = ledger.check(target, report, corrected, today)
    _indicator(action, report)
    planned = ledger.plan(
        target,
        report,
        reported_on=reported_on,
        corrected=corrected,
        external_id=external_id,
        order=(1, 0),
        confirmed=unusual_confirmed,
    )
    ledger.take_in(planned)
    ledger.write(actor, [planned])
    assert planned.entry.id is not None
    review.entered(actor, updates=[planned.entry.id])
    return db.session.get_one(ProgressUpdate, planned.entry.id)


def _corrected(target: ledger.Target, report: ProgressReport) -> ledger.Entry | None:
    """The update a correction replaces, with every update of the action it is weighed
    against; one that is not this action's is refused."""
    if report.corrects_id is None:
        return None
    known = ledger.entries(
        ledger.stored_rows(
            sa.or_(ProgressUpdate.action_id == target.id, ProgressUpdate.id == report.corrects_id)
        ).values()
    )
    target.updates = [u for u in known.values() if u.action_id == target.id]
    corrected = known.get(report.corrects_id)
    if corrected is None:
        check_correction(belongs=False, corrected_by=None, kept_on=None, reported_on=None)
    return corrected


def record_indicator_value(
    actor: Actor, indicator: Indicator, report: IndicatorValueReport, *, today: date
) -> IndicatorValue:
    """A new measured value of an indicator; values, like updates, are only ever added."""
    permissions.require_city_editor(actor, indicator.action.plan.city_id)
    measured_on, value = report.measured_on, report.value
    if measured_on > today:
        raise Invalid(_("The measurement date cannot be in the future."), field="measured_on")
    row = IndicatorValue(
        indicator_id=indicator.id,
        measured_on=measured_on,
        value=float(value),
        note=(report.note or "").strip() or None,
    )
    db.session.add(row)
    db.session.flush()
    review.entered(actor, values=[row.id])
    record_event(
        actor,
        "indicator.value",
        "indicator",
        indicator.id,
        city_id=indicator.action.plan.city_id,
        before={},
        after={"measured_on": measured_on, "value": float(value), "note": row.note},
    )
    return row
