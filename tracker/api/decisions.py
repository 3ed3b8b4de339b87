"""The review queue through the API: the waiting reports (GET), and a decision on one report,
addressed by the report's own id (POST, idempotent with an Idempotency-Key). Who: reviewers
(leads, administrators, accounts granted a city: that city's reports only); nobody decides on
their own report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import g, jsonify
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from tracker.api import bp
from tracker.api.reading import body, query
from tracker.api.routes import get_or_404
from tracker.api.writes import created, idempotent
from tracker.domain import permissions
from tracker.domain.errors import Conflict, PermissionDenied
from tracker.extensions import db
from tracker.models import IndicatorValue, ProgressUpdate, Review
from tracker.queries import review as review_queries
from tracker.schemas import queries, records, reports
from tracker.services import review as review_service

REPORTS: dict[str, tuple[str, Any, Any]] = {
    "updates": ("update", ProgressUpdate, Review.update_id),
    "values": ("value", IndicatorValue, Review.value_id),
}


def _reviewer() -> None:
    if not permissions.is_reviewer(g.api_user):
        raise PermissionDenied(_("Only reviewers may read or decide the review queue."))


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | float | date) else str(value)


def item_record(item: review_queries.QueueItem) -> dict[str, Any]:
    review = item.review
    return records.ReviewItem.model_validate(
        {
            "report": "update" if review.update_id is not None else "value",
            "report_id": review.update_id or review.value_id,
            "kind": item.kind,
            "city": item.city,
            "title": item.title,
            "reported_on": item.reported_on,
            "submitted_at": item.submitted_at,
            "author": item.author,
            "note": item.note,
            "evidence_url": item.evidence_url,
            "correction": item.correction,
            "own": item.own,
            "changes": [
                {
                    "what": c.what,
                    "before": _plain(c.before),
                    "after": _plain(c.after),
                    "unit": c.unit,
                }
                for c in item.changes
            ],
        }
    ).model_dump(mode="json")


@bp.route("/review")
def review_queue() -> ResponseReturnValue:  # Who: reviewers.
    _reviewer()
    q = query(queries.ReviewQueue)
    items, total, next_after = review_queries.queue(
        g.api_user,
        review_queries.QueueFilter(city=q.city, kind=q.kind),
        limit=q.limit,
        offset=q.offset,
        after=q.after,
    )
    return jsonify(
        items=[item_record(i) for i in items],
        total=total,
        limit=q.limit,
        offset=q.offset,
        next_after=next_after,
    )


def _decide(which: str, report_id: int, decision: str) -> ResponseReturnValue:
    """One report's decision: 404 for no such report, 403 for one the account may not decide
    (whatever the body), 409 once decided (a report approved on entry was decided then), 422
    for a return without a comment."""
    kind, model, column = REPORTS[which]
    get_or_404(model, report_id)
    _reviewer()
    found = db.session.scalar(sa.select(Review).where(column == report_id))
    if found is None:
        raise Conflict(_("This report was approved when it was entered: nothing awaits review."))
    permissions.require_reviewer(g.api_user, found.city_id)
    sent = body(reports.DecisionBody)
    (made,) = review_service.decide(g.api_user, [found], decision, sent.comment, through="api")
    db.session.flush()
    return created(
        records.ReviewDecision.model_validate(
            {
                "report": kind,
                "report_id": report_id,
                "state": made.decision,
                "reviewer": made.reviewer,
                "decided_at": made.decided_at,
                "comment": made.comment,
            }
        ).model_dump(mode="json")
    )


def _decision_view(which: str, verb: str) -> Callable[..., ResponseReturnValue]:
    """POST /review/{which}/{id}/{verb}. Who: the reviewers of the report's city (leads and
    administrators: every city), never its author."""

    def view(**ids: int) -> ResponseReturnValue:
        (report_id,) = ids.values()
        return _decide(which, report_id, "approved" if verb == "approve" else "returned")

    view.__name__ = f"{verb}_{which}"
    return view


for _which, _param in (("updates", "update_id"), ("values", "value_id")):
    for _verb in ("approve", "return"):
        bp.add_url_rule(
            f"/review/{_which}/<id:{_param}>/{_verb}",
            view_func=idempotent(_decision_view(_which, _verb)),
            methods=["POST"],
        )
