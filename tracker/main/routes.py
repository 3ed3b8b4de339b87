"""Programme overview (every signed-in user)."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from tracker import charts
from tracker.main import bp, present
from tracker.models.programme import LGD_STEPS
from tracker.services import cohort as cohort_service
from tracker.services import overview
from tracker.tables import csv_of, csv_requested


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:  # Who: every signed-in user.
    programme = overview.current_programme()
    if programme is None:
        return render_template("main/empty.html")
    today = date.today()
    soon, stale = current_app.config["DUE_SOON_DAYS"], current_app.config["STALE_AFTER_DAYS"]
    figures = overview.headline(programme, today, soon)
    phases, milestones = overview.timeline(programme, today, soon)
    funnel = list(figures.lgds_by_status.items())
    statuses = overview.actions_by_status()
    sectors = overview.sector_progress()
    tables = present.overview_tables(phases, milestones, funnel, statuses, sectors)
    if csv_requested():
        return csv_of(tables)
    return render_template(
        "main/index.html",
        figures=figures,
        today=today,
        tables={t.name: t for t in tables},
        charts=present.overview_charts(phases, milestones, funnel, statuses, sectors, today),
        attention=overview.needs_attention(today, stale),
        stale_days=stale,
    )


@bp.route("/cohort")
@login_required
def cohort() -> ResponseReturnValue:  # Who: every signed-in user.
    programme = overview.current_programme()
    if programme is None:
        return render_template("main/empty.html")
    sort = request.args.get("sort", "name")
    if sort not in cohort_service.SORTS:
        abort(400, f"Unknown sort {sort!r}; use one of {', '.join(cohort_service.SORTS)}.")
    rows = cohort_service.cohort(programme, date.today(), sort)
    steps = present.step_titles(LGD_STEPS)
    table = present.cohort_table(rows, steps)
    if csv_requested():
        return csv_of([table])
    return render_template(
        "main/cohort.html",
        programme=programme,
        rows=rows,
        steps=steps,
        sort=sort,
        sorts=cohort_service.SORTS,
        table=table,
        figure=charts.to_json(present.cohort_figure(rows, steps)),
    )
