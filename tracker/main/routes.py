"""Programme overview (every signed-in user)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial, wraps
from typing import Any

from flask import abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from tracker import pages
from tracker.extensions import db
from tracker.main import bp, present
from tracker.main.forms import CohortFilterForm
from tracker.models import Programme
from tracker.paging import page_number
from tracker.queries import Shown, overview
from tracker.queries import review as review_queries
from tracker.queries.cohort import CohortFilter


def serve_overview(
    programme_id: int,
    template: str,
    overview_page: Callable[..., pages.Page] = present.overview_page,
    **options: Any,
) -> ResponseReturnValue:
    """The programme's overview as of today, made by `overview_page` (the signed-in or the
    public one) and served in `template`."""
    today = date.today()
    soon, stale = current_app.config["DUE_SOON_DAYS"], current_app.config["STALE_AFTER_DAYS"]
    return pages.serve(
        template,
        lambda _whole: overview_page(db.get_or_404(Programme, programme_id), today, soon, stale),
        **options,
    )


def with_programme(
    view: Callable[[int], ResponseReturnValue],
) -> Callable[[], ResponseReturnValue]:
    """A page of the current programme; before there is one, the page that says so."""

    @wraps(view)
    def page() -> ResponseReturnValue:
        programme_id = overview.current_programme_id()
        if programme_id is None:
            return render_template("main/empty.html")
        return view(programme_id)

    return page


@bp.route("/")
@login_required
@with_programme
def index(programme_id: int) -> ResponseReturnValue:  # Who: every signed-in user.
    approved = approved_only()
    return serve_overview(
        programme_id,
        "main/index.html",
        partial(present.overview_page, shown=Shown(approved=approved)),
        vary=[approved],
    )


def approved_only() -> bool:
    """The switch to approved data only (?approved=1); any other value is a 400."""
    value = request.args.get("approved", "0")
    if value not in ("0", "1"):
        abort(400, _("approved is 1 (approved data only) or 0 (the latest data)."))
    return value == "1"


@bp.route("/cohort")
@login_required
@with_programme
def cohort(programme_id: int) -> ResponseReturnValue:  # Who: every signed-in user.
    # The filter form (its choices read from the cache) is made when there is a filter to
    # check or a page to build: a page served from the cache without filters needs none.
    form = None
    filters = CohortFilter()
    if request.args.keys() - {"format", "table", "page"}:
        form = CohortFilterForm(request.args, programme_id=programme_id)
        if not form.validate():
            return render_template("main/cohort.html", form=form, page=None), 400
        filters = form.selected()
    number = page_number()

    def build(whole: bool) -> pages.Page:
        return present.cohort_page(
            db.get_or_404(Programme, programme_id),
            date.today(),
            filters,
            Shown(approved=filters.approved),
            number,
            whole=whole,
            form=form or CohortFilterForm(request.args, programme_id=programme_id),
            review_waiting=review_queries.count_waiting(),
            approved=filters.approved,
        )

    return pages.serve("main/cohort.html", build)
