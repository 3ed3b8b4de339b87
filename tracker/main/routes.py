"""Programme overview (every signed-in user)."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from tracker import charts
from tracker.main import bp
from tracker.models.programme import LGD_STEPS
from tracker.services import cohort as cohort_service
from tracker.services import overview
from tracker.tables import Table, csv_of, csv_requested


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
    tables = [
        Table(
            "timeline",
            "Phases and milestones",
            ["kind", "title", "date", "until", "state"],
            [["phase", p.label, p.start, p.end, ""] for p in phases]
            + [
                ["milestone", m.label, m.start, m.end, m.state.replace("_", " ")]
                for m in milestones
            ],
        ),
        Table(
            "lgd-status",
            "Local Green Deals by status",
            ["status", "deals"],
            [[s.replace("_", " "), n] for s, n in funnel],
        ),
        Table(
            "action-status",
            "Actions by status",
            ["status", "actions"],
            [[s.replace("_", " "), n] for s, n in statuses],
        ),
        Table(
            "sector-progress",
            "Progress by sector",
            ["sector", "actions", "average percent"],
            [[name, n, round(avg, 1) if avg is not None else None] for name, n, avg in sectors],
        ),
    ]
    if csv_requested():
        return csv_of(tables)
    return render_template(
        "main/index.html",
        figures=figures,
        today=today,
        tables={t.name: t for t in tables},
        charts={
            "timeline": charts.timeline(phases, milestones, today).to_json(),
            "lgd-status": charts.lgd_funnel(funnel).to_json(),
            "action-status": charts.actions_by_status(statuses).to_json(),
            "sector-progress": charts.progress_by_sector(sectors).to_json(),
        },
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
    steps = [cohort_service.STEP_TITLES[s] for s in LGD_STEPS]
    labels = [f"{r.name} ({r.country})" for r in rows]
    table = Table(
        "cohort",
        "Core cities by Local Green Deal step",
        ["city", "country", "mentor", "average progress", *steps],
        [
            [
                r.name,
                r.country,
                r.mentors,
                round(r.progress, 1) if r.progress is not None else None,
                *[s.replace("_", " ") for s in r.states],
            ]
            for r in rows
        ],
    )
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
        figure=charts.cohort_heatmap(labels, steps, [r.states for r in rows]).to_json(),
    )
