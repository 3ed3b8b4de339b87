"""Logging progress: append-only updates, and the action's current state derived from them."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from tracker.extensions import db
from tracker.i18n import written_date
from tracker.models import Action, Indicator, IndicatorValue, ProgressUpdate
from tracker.schemas.reports import IndicatorValueReport, ProgressReport
from tracker.services import permissions
from tracker.services.audit import record_event
from tracker.services.errors import Invalid, Unprocessable
from tracker.services.permissions import Actor


def rule_errors(report: ProgressReport) -> list[tuple[str | None, str]]:
    """The rules between a report's fields, which hold whatever is stored: every door (web,
    API, import, seeds) is refused with these same words."""
    errors: list[tuple[str | None, str]] = []
    if report.status == "done" and report.percent_complete != 100:
        errors.append(("percent_complete", _("An action that is done is 100 percent complete.")))
    if (report.indicator_id is None) != (report.indicator_value is None):
        field = "indicator_value" if report.indicator_id is not None else "indicator_id"
        errors.append((field, _("Give an indicator and its value together.")))
    if report.corrects_id is None and report.reported_on is None:
        errors.append(("reported_on", _("Give the reported date.")))
    if report.corrects_id is not None and not (report.note or "").strip():
        errors.append(("note", _("A correction needs a note that says why.")))
    return errors


def check_report(report: ProgressReport) -> None:
    if errors := rule_errors(report):
        raise Unprocessable(errors)


def _corrected(action: Action, report: ProgressReport) -> ProgressUpdate | None:
    """The update a correction replaces, checked against what is stored."""
    if report.corrects_id is None:
        return None
    corrected = db.session.get(ProgressUpdate, report.corrects_id)
    check_correction(
        belongs=corrected is not None and corrected.action_id == action.id,
        corrected_by=corrected.corrected_by.id if corrected and corrected.corrected_by else None,
        kept_on=corrected.reported_on if corrected else None,
        reported_on=report.reported_on,
    )
    return corrected


def check_correction(
    *, belongs: bool, corrected_by: object, kept_on: date | None, reported_on: date | None
) -> None:
    """A correction names an update of the same action that no correction names yet, and keeps
    its date: the rule every door (a report, an import) is refused by, in these words."""
    if not belongs:
        raise Invalid(
            _("The corrected update does not belong to this action."), field="corrects_id"
        )
    if corrected_by is not None:
        raise Invalid(
            _(
                "That update was corrected already (update %(id)s); correct the correction "
                "instead.",
                id=corrected_by,
            ),
            field="corrects_id",
        )
    if reported_on is not None and kept_on is not None and reported_on != kept_on:
        raise Invalid(
            _(
                "A correction keeps the reported date of the update it corrects (%(date)s); to "
                "report another date, log a new report.",
                date=written_date(kept_on),
            ),
            field="reported_on",
        )


def check_date(reported_on: date, began: date | None, today: date) -> date:
    """A report's date: not in the future, not before its plan began."""
    if reported_on > today:
        raise Invalid(_("The reported date cannot be in the future."), field="reported_on")
    if began and reported_on < began:
        raise Invalid(
            _(
                "The reported date cannot be before the plan began (%(date)s).",
                date=written_date(began),
            ),
            field="reported_on",
        )
    return reported_on


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
    corrected = _corrected(action, report)
    if corrected is not None:
        reported_on = corrected.reported_on
    else:
        reported_on = check_date(report.reported_on or today, action.plan.started_on, today)
    indicator = _indicator(action, report)
    evidence_url = report.evidence_url
    before = {"status": action.status, "percent_complete": action.percent_complete}
    update = ProgressUpdate(
        action_id=action.id,
        author_id=actor.id,
        reported_on=reported_on,
        status=report.status,
        percent_complete=report.percent_complete,
        note=(report.note or "").strip() or None,
        evidence_url=evidence_url,
        indicator_id=report.indicator_id,
        indicator_value=report.indicator_value,
        corrects_id=corrected.id if corrected else None,
        original_id=(corrected.original_id or corrected.id) if corrected else None,
        external_id=external_id,
    )
    db.session.add(update)
    db.session.flush()
    if indicator is not None:
        db.session.add(
            IndicatorValue(
                indicator_id=indicator.id,
                measured_on=reported_on,
                value=report.indicator_value,
                progress_update_id=update.id,
                note=f"Reported with progress update {update.id}",
            )
        )
    # Nothing corrects an update just made (and the answer shows it) without asking.
    set_committed_value(update, "corrected_by", None)
    if corrected is not None:
        db.session.refresh(corrected, ["corrected_by"])
        refresh_current_state(action)
    elif action.last_reported_on is None or reported_on >= action.last_reported_on:
        # The latest date, and of that date the last to stand: the new update decides.
        _set_state(action, (update.status, update.percent_complete, reported_on))
    else:
        refresh_current_state(action)
    record_event(
        actor,
        "progress.correct" if corrected else "progress.log",
        "action",
        action.id,
        city_id=action.plan.city_id,
        before=before,
        after={
            "update_id": update.id,
            "reported_on": reported_on,
            "status": action.status,
            "percent_complete": action.percent_complete,
            "note": update.note,
            "evidence_url": evidence_url,
            "indicator_id": report.indicator_id,
            "indicator_value": report.indicator_value,
            "corrects_id": update.corrects_id,
        }
        | ({"indicator_value_confirmed": True} if unusual_confirmed else {}),
    )
    return update


def effective_version(update: ProgressUpdate) -> ProgressUpdate:
    """The update that stands for `update` now: itself, or the last correction of its chain."""
    while update.corrected_by is not None:
        update = update.corrected_by
    return update


def latest_effective_update(action_id: int) -> ProgressUpdate | None:
    """The update that decides the current state: among the effective ones, the latest
    reported date, and among updates of that date the one that stands last."""
    return db.session.scalars(
        sa.select(ProgressUpdate)
        .where(ProgressUpdate.action_id == action_id, ProgressUpdate.effective())
        .order_by(ProgressUpdate.reported_on.desc(), ProgressUpdate.place().desc())
        .limit(1)
    ).first()


def refresh_current_state(action: Action) -> None:
    latest = latest_effective_update(action.id)
    state = (
        (latest.status, latest.percent_complete, latest.reported_on)
        if latest
        else (None, None, None)
    )
    _set_state(action, state)


def _set_state(action: Action, state: tuple[str | None, int | None, date | None]) -> None:
    if (action.status, action.percent_complete, action.last_reported_on) != state:
        action.status, action.percent_complete, action.last_reported_on = state
        db.session.flush()


def history_options() -> tuple[Any, ...]:
    """What a history list shows of each update, loaded in a fixed number of queries."""
    return (
        selectinload(ProgressUpdate.author),
        selectinload(ProgressUpdate.indicator),
        selectinload(ProgressUpdate.corrects),
        selectinload(ProgressUpdate.corrected_by).selectinload(ProgressUpdate.author),
    )


def history(action_id: int) -> list[ProgressUpdate]:
    """Every update of an action, corrected ones too, newest place first."""
    return histories([action_id])[action_id]


def histories(action_ids: list[int]) -> dict[int, list[ProgressUpdate]]:
    """Every update of these actions, corrected ones too, newest place first, in one query."""
    result: dict[int, list[ProgressUpdate]] = {i: [] for i in action_ids}
    if action_ids:
        for update in db.session.scalars(
            sa.select(ProgressUpdate)
            .where(ProgressUpdate.action_id.in_(action_ids))
            .options(*history_options())
            .order_by(
                ProgressUpdate.reported_on.desc(),
                ProgressUpdate.place().desc(),
                ProgressUpdate.id.desc(),
            )
        ):
            result[update.action_id or 0].append(update)  # the query keeps action updates
    return result


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
