"""Public pages. Who: anyone, without signing in, when TRACKER_PUBLIC_PAGES is set; otherwise
they do not exist (404). They show facts and published status only: no notes, authors, e-mail
addresses, evidence links, demo records or forms, and link only to other public pages and to
the sources of facts."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from tracker import cache, charts
from tracker.cache import remembered
from tracker.extensions import db
from tracker.main import present
from tracker.models import Programme
from tracker.models.programme import LGD_STEPS
from tracker.paging import page_number, paged
from tracker.public import bp
from tracker.queries import cohort as cohort_service
from tracker.queries import overview, published
from tracker.queries.milestones import state_expression
from tracker.tables import Table, csv_of, csv_requested
from tracker.vocabulary import STATUS_LABELS, titled

LAYOUT = "_layouts/public.html"


@bp.before_request
def only_when_published() -> None:
    if not current_app.config.get("PUBLIC_PAGES"):
        abort(404)


def _programme_id() -> int:
    programme_id = overview.current_programme_id()
    if programme_id is None:
        abort(404)
    return programme_id


@bp.route("/")
def index() -> ResponseReturnValue:  # Who: anyone (public view).
    programme_id = _programme_id()
    today = date.today()
    soon = current_app.config["DUE_SOON_DAYS"]

    def build() -> tuple[list[Table], dict[str, object]]:
        programme = db.get_or_404(Programme, programme_id)
        figures = overview.headline(programme, today, soon, facts_only=True)
        phases, milestones = overview.timeline(programme, today, soon, facts_only=True)
        funnel = list(figures.lgds_by_status.items())
        statuses = overview.actions_by_status(facts_only=True)
        sectors = overview.sector_progress(facts_only=True)
        # The overview's tables, but for the days without an update (not published).
        made = [
            t
            for t in present.overview_tables(phases, milestones, funnel, statuses, sectors, [])
            if t.name != "quiet"
        ]
        return made, {
            "figures": figures,
            "others": published.cities_by_role(programme_id, ("mentor", "observer")),
            "tables": {t.name: t for t in made},
            "charts": {
                "timeline": charts.to_json(
                    charts.timeline(phases, milestones, today, programme.ends_on)
                ),
                "lgd-status": charts.to_json(charts.lgd_status(funnel)),
                "action-status": charts.to_json(charts.actions_by_status(statuses)),
                "sector-progress": charts.to_json(
                    charts.progress_by_sector(present.sector_rows(sectors))
                ),
            },
        }

    if csv_requested():
        return csv_of(build()[0])
    return cache.render_page("public/index.html", lambda: build()[1], layout=LAYOUT)


@bp.route("/cohort")
def cohort() -> ResponseReturnValue:  # Who: anyone (public view).
    programme_id = _programme_id()
    steps = present.step_titles(LGD_STEPS)
    number = page_number()

    def rows() -> list[cohort_service.CohortRow]:
        programme = db.get_or_404(Programme, programme_id)
        return cohort_service.cohort(programme, date.today(), facts_only=True)

    def build() -> dict[str, object]:
        everyone = rows()
        listed = paged(everyone, number)
        return {
            "programme": db.get_or_404(Programme, programme_id),
            "page": listed,
            "steps": steps,
            "counts": present.cohort_counts(everyone, everyone),
            "table": present.cohort_table(listed.items, steps),
            "figure": charts.to_json(present.cohort_figure(listed.items, steps)),
        }

    if csv_requested():
        return csv_of([present.cohort_table(rows(), steps)])
    return cache.render_page("public/cohort.html", build, layout=LAYOUT)


@bp.route("/cities/<slug>")
def city(slug: str) -> ResponseReturnValue:  # Who: anyone (public view).
    ids = remembered("public-city-ids", published.public_city_ids)
    if slug not in ids:
        abort(404)

    def build() -> tuple[list[Table], dict[str, object]]:
        state = state_expression(date.today(), current_app.config["DUE_SOON_DAYS"])
        page = published.city(ids[slug], state)
        indicators = [i for p in page.plans for a in p.actions for i in a.indicators]
        tables = [
            Table(
                f"indicator-{i.id}",
                f"{titled(i)} ({i.unit})",
                [_l("date"), _l("value"), _l("baseline"), _l("target")],
                [[d, v, i.baseline, i.target] for d, v in i.values],
            )
            for i in indicators
        ]
        return tables, {
            "page": page,
            "labels": STATUS_LABELS,
            "tables": {t.name: t for t in tables},
            "indicator_charts": {
                i.id: charts.to_json(
                    charts.indicator_series(
                        titled(i), i.unit, i.values, i.baseline, i.target, i.target_on
                    )
                )
                for i in indicators
            },
        }

    if csv_requested():
        return csv_of(build()[0])
    return cache.render_page("public/city.html", lambda: build()[1], layout=LAYOUT)
