"""Logging progress: append-only updates, and the action's current state derived from them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Action, Indicator, IndicatorValue, ProgressUpdate, User
from tracker.models.plan import ACTION_STATUSES
from tracker.services import permissions
from tracker.services.audit import record_event
from tracker.services.errors import Invalid

NOTE_MAX = 2000
URL_MAX = 500


@dataclass
class ProgressReport:
    """What a person reports; the field names are the web form's and the API's contract.
    A correction (corrects_id set) may leave reported_on out: it takes the corrected one's."""

    reported_on: date | None
    status: str
    percent_complete: int
    note: str | None = None
    evidence_url: str | None = None
    indicator_id: int | None = None
    indicator_value: float | None = None
    corrects_id: int | None = None
    external_id: str | None = None


def check_evidence_url(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise Invalid(
            "The evidence link must be an http:// or https:// address.", field="evidence_url"
        )
    if len(url) > URL_MAX:
        raise Invalid(
            f"The evidence link may have at most {URL_MAX} characters.", field="evidence_url"
        )
    return url.strip()


def check_note(note: str | None) -> str | None:
    if note and len(note) > NOTE_MAX:
        raise Invalid(f"The note may have at most {NOTE_MAX} characters.", field="note")
    return note or None


def _corrected(action: Action, report: ProgressReport) -> ProgressUpdate | None:
    """The update a correction replaces, checked: it belongs to the action, no correction
    names it yet, the correction says why and keeps its date."""
    if report.corrects_id is None:
        return None
    corrected = db.session.get(ProgressUpdate, report.corrects_id)
    if corrected is None or corrected.action_id != action.id:
        raise Invalid("The corrected update does not belong to this action.", field="corrects_id")
    if corrected.corrected_by is not None:
        raise Invalid(
            f"That update was corrected already (update {corrected.corrected_by.id}); "
            "correct the correction instead.",
            field="corrects_id",
        )
    if not (report.note or "").strip():
        raise Invalid("A correction needs a note that says why.", field="note")
    if report.reported_on is not None and report.reported_on != corrected.reported_on:
        raise Invalid(
            "A correction keeps the reported date of the update it corrects "
            f"({corrected.reported_on.isoformat()}); to report another date, log a new report.",
            field="reported_on",
        )
    return corrected


def _check_date(action: Action, reported_on: date | None, today: date) -> date:
    if reported_on is None:
        raise Invalid("Give the reported date.", field="reported_on")
    if reported_on > today:
        raise Invalid("The reported date cannot be in the future.", field="reported_on")
    began = action.plan.started_on
    if began and reported_on < began:
        raise Invalid(
            f"The reported date cannot be before the plan began ({began.isoformat()}).",
            field="reported_on",
        )
    return reported_on


def _check(action: Action, report: ProgressReport) -> Indicator | None:
    if report.status not in ACTION_STATUSES:
        raise Invalid(f"Unknown status {report.status!r}.", field="status")
    percent = report.percent_complete
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise Invalid(
            "Percent complete must be a whole number from 0 to 100.", field="percent_complete"
        )
    if report.status == "done" and percent != 100:
        raise Invalid("An action that is done is 100 % complete.", field="percent_complete")
    check_note(report.note)
    indicator = None
    if (report.indicator_id is None) != (report.indicator_value is None):
        field = "indicator_value" if report.indicator_id is not None else "indicator_id"
        raise Invalid("Give an indicator and its value together.", field=field)
    if report.indicator_id is not None:
        indicator = db.session.get(Indicator, report.indicator_id)
        if indicator is None or indicator.action_id != action.id:
            raise Invalid("That indicator does not belong to this action.", field="indicator_id")
        if not math.isfinite(report.indicator_value):  # type: ignore[arg-type]
            raise Invalid("The indicator value must be a finite number.", field="indicator_value")
    return indicator


def log_progress(
    actor: User, action: Action, report: ProgressReport, *, today: date
) -> ProgressUpdate:
    """Append an update, or a correction of one, and bring the action's current status and
    percent up to date: the one way every path (web, API, import) writes progress."""
    permissions.require_city_editor(actor, action.plan.city_id)
    # Lock the action so concurrent reports on it are applied one after the other.
    action = db.session.scalars(
        sa.select(Action)
        .where(Action.id == action.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    corrected = _corrected(action, report)
    if corrected is not None:
        reported_on = corrected.reported_on
    else:
        reported_on = _check_date(action, report.reported_on, today)
    indicator = _check(action, report)
    evidence_url = check_evidence_url(report.evidence_url)
    before = {"status": action.status, "percent_complete": action.percent_complete}
    update = ProgressUpdate(
        action_id=action.id,
        author_id=actor.id,
        reported_on=reported_on,
        status=report.status,
        percent_complete=report.percent_complete,
        note=check_note((report.note or "").strip() or None),
        evidence_url=evidence_url,
        indicator_id=report.indicator_id,
        indicator_value=report.indicator_value,
        corrects_id=corrected.id if corrected else None,
        original_id=(corrected.original_id or corrected.id) if corrected else None,
        external_id=report.external_id,
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
    if corrected is not None:
        db.session.refresh(corrected, ["corrected_by"])
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
        },
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
    actor: User,
    indicator: Indicator,
    *,
    measured_on: date,
    value: float,
    note: str | None,
    today: date,
) -> IndicatorValue:
    """A new measured value of an indicator; values, like updates, are only ever added."""
    permissions.require_city_editor(actor, indicator.action.plan.city_id)
    if measured_on > today:
        raise Invalid("The measurement date cannot be in the future.", field="measured_on")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid("The value must be a finite number.", field="value")
    row = IndicatorValue(
        indicator_id=indicator.id,
        measured_on=measured_on,
        value=float(value),
        note=check_note(note),
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
