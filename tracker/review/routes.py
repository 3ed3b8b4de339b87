"""The review queue. Who: reviewers (leads, administrators, and accounts granted the review
permission for a city, who see that city's reports only); everyone else is refused (403)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from tracker.domain import permissions
from tracker.domain.errors import DomainError, PermissionDenied
from tracker.extensions import db
from tracker.forms import attach_error, commit_once, sent_key
from tracker.models import Review
from tracker.paging import PAGE_SIZE, Page, checked, page_number
from tracker.queries import review as review_queries
from tracker.review import bp
from tracker.review.forms import DecideForm, QueueFilterForm
from tracker.services import review


def _reviewer_only() -> None:
    if not permissions.is_reviewer(current_user):
        raise PermissionDenied(_only_reviewers())


def _only_reviewers() -> str:
    return _("Only reviewers (programme leads and those granted a city) see the review queue.")


def _queue_page(form: DecideForm | None = None, status: int = 200) -> ResponseReturnValue:
    filters = QueueFilterForm(request.args)
    if request.args.keys() - {"page"} and not filters.validate():
        return render_template("review/queue.html", filters=filters, page=None), 400
    number = page_number()
    items, total, _next = review_queries.queue(
        current_user, filters.selected(), limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
    )
    listed = checked(Page(items, number, PAGE_SIZE, total or 0))
    decidable = [i.review.id for i in items if not i.own]
    form = form or DecideForm(decidable=decidable)
    return render_template(
        "review/queue.html", filters=filters, page=listed, form=form, decidable=decidable
    ), status


@bp.route("")
@login_required
def queue() -> ResponseReturnValue:  # Who: reviewers.
    _reviewer_only()
    return _queue_page()


@bp.route("/decide", methods=["POST"])
@login_required
def decide() -> ResponseReturnValue:  # Who: reviewers (each report's city checked).
    _reviewer_only()
    first, key = sent_key()
    if first is not None:
        return first
    chosen = request.form.getlist("review", type=int)
    form = DecideForm(decidable=chosen)
    if not form.validate_on_submit() or not form.review.data:
        if not form.errors:
            form.review.errors = [_nothing_ticked()]
        return _queue_page(form, 400)
    reviews = list(db.session.scalars(sa.select(Review).where(Review.id.in_(form.review.data))))
    if len(reviews) != len(set(form.review.data)):
        form.review.errors = [_nothing_ticked()]
        return _queue_page(form, 400)
    decision = form.decision()
    try:
        review.decide(current_user, reviews, decision, form.comment_text(), through="queue")
    except DomainError as exc:
        db.session.rollback()
        if exc.status in (403, 409):
            raise
        attach_error(form, exc)
        return _queue_page(form, exc.status if exc.status == 422 else 400)
    location = url_for("review.queue")
    if (done := commit_once(key, location)) is not None:
        return done
    flash(
        ngettext("%(num)d report approved.", "%(num)d reports approved.", len(reviews))
        if decision == "approved"
        else ngettext(
            "%(num)d report returned to its author.",
            "%(num)d reports returned to their authors.",
            len(reviews),
        ),
        "info",
    )
    return redirect(location)


def _nothing_ticked() -> str:
    return _("Tick at least one report waiting for review.")
