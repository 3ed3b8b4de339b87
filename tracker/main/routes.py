"""Programme overview (every signed-in user)."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from tracker import cache, charts
from tracker.extensions import db
from tracker.main import bp, present
from tracker.models import Programme
from tracker.models.programme import LGD_STEPS
from tracker.paging import page_number, paged
from tracker.services import cohort as cohort_service
from tracker.services import overview
from tracker.tables import Table, csv_of, csv_requested


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:  # Who: every signed-in user.
    programme_id = overview.current_programme_id()
    if programme_id is None:
        return render_template("main/empty.html")
    today = date.today()
    soon, stale = current_app.config["DUE_SOON_DAYS"], current_app.config["STALE_AFTER_DAYS"]

    def tables() -> tuple[list[Table], dict[str, object]]:
        programme = db.get_or_404(Programme, programme_id)
        figures = overview.headline(programme, today, soon)
        phases, milestones = overview.timeline(programme, today, soon)
        funnel = list(figures.lgds_by_status.items())
        statuses = overview.actions_by_status()
        sectors = overview.sector_progress()
        made = present.overview_tables(phases, milestones, funnel, statuses, sectors)
        return made, {
            "figures": figures,
            "today": today,
            "tables": {t.name: t for t in made},
            "charts": present.overview_charts(phases, milestones, funnel, statuses, sectors, today),
            "attention": overview.needs_attention(today, stale),
            "stale_days": stale,
        }

    if csv_requested():
        return csv_of(tables()[0])
    return cache.render_page("main/index.html", lambda: tables()[1])


@bp.route("/cohort")
@login_required
def cohort() -> ResponseReturnValue:  # Who: every signed-in user.
    programme_id = overview.current_programme_id()
    if programme_id is None:
        return render_template("main/empty.html")
    sort = request.args.get("sort", "name")
    if sort not in cohort_service.SORTS:
        abort(400, f"Unknown sort {sort!r}; use one of {', '.join(cohort_service.SORTS)}.")
    steps = present.step_titles(LGD_STEPS)
    number = page_number()

    def rows() -> list[cohort_service.CohortRow]:
        return cohort_service.cohort(db.get_or_404(Programme, programme_id), date.today(), sort)

    def page() -> dict[str, object]:
        shown = paged(rows(), number)
        return {
            "programme": db.get_or_404(Programme, programme_id),
            "page": shown,
            "steps": steps,
            "sort": sort,
            "sorts": cohort_service.SORTS,
            "table": present.cohort_table(shown.items, steps),
            "figure": charts.to_json(present.cohort_figure(shown.items, steps)),
        }

    if csv_requested():
        return csv_of([present.cohort_table(rows(), steps)])
    return cache.render_page("main/cohort.html", page)
