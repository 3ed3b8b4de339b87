"""API write endpoints: the same people and rules as the web forms (the services decide),
answered with 201 and the new record. A body is read through its model
(tracker/schemas/reports.py) and handed to the service as it is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Any

from flask import Response, current_app, g, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError

from tracker.api import ApiError, bp
from tracker.api.reading import body
from tracker.api.routes import get_or_404, update_record, value_record
from tracker.domain import permissions
from tracker.extensions import db
from tracker.models import Action, Indicator, Milestone, Submission
from tracker.schemas import reports
from tracker.services import milestones as milestone_service
from tracker.services import progress, submissions


def created(payload: dict[str, Any]) -> Response:
    """Commit the write, with its Idempotency-Key and answer when one was sent."""
    text = current_app.json.dumps(payload)
    key = g.get("idempotency_key")
    if key is not None:
        submissions.remember(g.api_user, key, fingerprint=_fingerprint(), status=201, body=text)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        first = submissions.find(g.api_user, key) if key is not None else None
        if first is None:
            raise
        return _replay(first)  # the same key, sent twice at once: the other one was first
    return current_app.response_class(text + "\n", status=201, mimetype="application/json")


def idempotent(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Honour an Idempotency-Key header: per account, the same key with the same request stores
    nothing and returns the first answer again; with another request it is refused (409)."""

    @wraps(view)
    def wrapper(**kwargs: Any) -> ResponseReturnValue:
        key = request.headers.get("Idempotency-Key")
        g.idempotency_key = None
        if key is None:
            return view(**kwargs)
        if not submissions.KEY_PATTERN.fullmatch(key):
            raise ApiError(
                400,
                "Bad Request",
                "The Idempotency-Key header must be 1 to 255 printable ASCII characters.",
            )
        first = submissions.find(g.api_user, key)
        if first is not None:
            if first.fingerprint != _fingerprint():
                raise ApiError(
                    409,
                    "Conflict",
                    "This Idempotency-Key was used for another request; use a new key.",
                )
            return _replay(first)
        g.idempotency_key = key
        return view(**kwargs)

    return wrapper


def _fingerprint() -> str:
    return submissions.fingerprint(request.method, request.path, request.get_data())


def _replay(first: Submission) -> Response:
    response = current_app.response_class(
        (first.body or "") + "\n", status=first.status, mimetype="application/json"
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


@dataclass(frozen=True)
class Report:
    """What the API takes a report on: the record it is on, the body's model, who may make it
    (checked before the body is read: the rules are not told to those who may not write), the
    service that writes it, and the record answered."""

    model: type[Any]
    shape: type[Any]
    may: Callable[[Any, Any], None]
    write: Callable[..., Any]
    record: Callable[[Any], dict[str, Any]] = update_record


REPORTS = {
    "progress": Report(
        Action,
        reports.ProgressReport,
        lambda user, action: permissions.require_city_editor(user, action.plan.city_id),
        progress.log_progress,
    ),
    "milestone": Report(
        Milestone,
        reports.MilestoneReport,
        permissions.require_milestone_editor,
        milestone_service.report,
    ),
    "value": Report(
        Indicator,
        reports.IndicatorValueReport,
        lambda user, indicator: permissions.require_city_editor(
            user, indicator.action.plan.city_id
        ),
        progress.record_indicator_value,
        value_record,
    ),
}


def _report(kind: str, row_id: int) -> Response:
    """One report on a row: the row (404 when there is none), who may report on it (403 for
    anyone else, whatever the body), the body read through its model, the service's write, and
    the new record answered with 201."""
    report = REPORTS[kind]
    row = get_or_404(report.model, row_id)
    report.may(g.api_user, row)
    written = report.write(g.api_user, row, body(report.shape), today=date.today())
    return created(report.record(written))


@bp.route("/actions/<id:action_id>/progress", methods=["POST"])
@idempotent
def log_progress(action_id: int) -> ResponseReturnValue:
    return _report("progress", action_id)  # Who: the action's city's editors, leads, admins.


@bp.route("/milestones/<id:milestone_id>/progress", methods=["POST"])
@idempotent
def milestone_progress(milestone_id: int) -> ResponseReturnValue:
    return _report("milestone", milestone_id)  # Who: leads (the programme's); city editors.


@bp.route("/indicators/<id:indicator_id>/values", methods=["POST"])
@idempotent
def add_indicator_value(indicator_id: int) -> ResponseReturnValue:
    return _report("value", indicator_id)  # Who: the indicator's city's editors, leads, admins.
