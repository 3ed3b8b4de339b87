"""Programme overview (every signed-in user)."""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from tracker import cache, charts
from tracker.extensions import db
from tracker.main import bp, present
from tracker.main.forms import CohortFilterForm
from tracker.models import Programme
from tracker.models.programme import LGD_STEPS
from tracker.paging import page_number, paged
from tracker.queries import cohort as cohort_service
from tracker.queries import overview
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
        quiet = present.quiet_rows(overview.quiet_groups(programme, today))
        made = present.overview_tables(phases, milestones, funnel, statuses, sectors, quiet)
        return made, {
            "figures": figures,
            "today": today,
            "tables": {t.name: t for t in made},
            "charts": present.overview_charts(
                phases,
                milestones,
                funnel,
                statuses,
                sectors,
                quiet,
                today,
                stale,
                programme.ends_on,
            ),
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
    form = CohortFilterForm(request.args, programme_id=programme_id)
    if request.args.keys() - {"format", "table", "page"} and not form.validate():
        return render_template("main/cohort.html", form=form, page=None), 400
    filters = form.selected()
    steps = present.step_titles(LGD_STEPS)
    number = page_number()

    def rows() -> list[cohort_service.CohortRow]:
        return cohort_service.cohort(db.get_or_404(Programme, programme_id), date.today())

    def page() -> dict[str, object]:
        everyone = rows()
        shown = cohort_service.chosen(everyone, filters)
        listed = paged(shown, number)
        return {
            "programme": db.get_or_404(Programme, programme_id),
            "form": form,
            "filters": filters,
            "page": listed,
            "steps": steps,
            "counts": present.cohort_counts(everyone, shown),
            "table": present.cohort_table(listed.items, steps),
            "figure": charts.to_json(present.cohort_figure(listed.items, steps)),
        }

    if csv_requested():
        return csv_of([present.cohort_table(cohort_service.chosen(rows(), filters), steps)])
    return cache.render_page("main/cohort.html", page)
