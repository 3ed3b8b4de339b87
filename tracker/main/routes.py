"""Programme overview (every signed-in user)."""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from tracker import pages
from tracker.extensions import db
from tracker.main import bp, present
from tracker.main.forms import CohortFilterForm
from tracker.models import Programme
from tracker.paging import page_number
from tracker.queries import cohort as cohort_service
from tracker.queries import overview


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:  # Who: every signed-in user.
    programme_id = overview.current_programme_id()
    if programme_id is None:
        return render_template("main/empty.html")
    today = date.today()
    soon, stale = current_app.config["DUE_SOON_DAYS"], current_app.config["STALE_AFTER_DAYS"]
    return pages.serve(
        "main/index.html",
        lambda _whole: present.overview_page(
            db.get_or_404(Programme, programme_id), today, soon, stale
        ),
    )


@bp.route("/cohort")
@login_required
def cohort() -> ResponseReturnValue:  # Who: every signed-in user.
    programme_id = overview.current_programme_id()
    if programme_id is None:
        return render_template("main/empty.html")
    form = CohortFilterForm(request.args, programme_id=programme_id)
    if request.args.keys() - {"format", "table", "page"} and not form.validate():
        return render_template("main/cohort.html", form=form, page=None), 400
    filters = form.selected()
    number = page_number()

    def build(whole: bool) -> pages.Page:
        programme = db.get_or_404(Programme, programme_id)
        everyone = cohort_service.cohort(programme, date.today())
        shown = cohort_service.chosen(everyone, filters)
        return present.cohort_page(
            programme, everyone, shown, number, whole=whole, form=form, filters=filters
        )

    return pages.serve("main/cohort.html", build)
