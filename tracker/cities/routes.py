"""City pages (every signed-in user)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from tracker import charts
from tracker.cities import bp, present
from tracker.cities.forms import CityFilterForm
from tracker.extensions import db
from tracker.models import City
from tracker.services import cities, overview, permissions
from tracker.services.milestones import state_expression
from tracker.tables import csv_of, csv_requested
from tracker.vocabulary import STATUS_LABELS

CLIMATE_KINDS = ("climate_programme", "action_programme")


@bp.route("")
@login_required
def index() -> ResponseReturnValue:  # Who: every signed-in user.
    programme = overview.current_programme()
    if programme is None:
        abort(404)
    form = CityFilterForm(request.args)
    if request.args.keys() - {"format", "table"} and not form.validate():
        return render_template("cities/index.html", form=form, rows=None), 400
    rows = cities.listing(programme, form.selected())
    table = present.cities_table(rows)
    if csv_requested():
        return csv_of([table])
    places = present.places(rows)
    return render_template(
        "cities/index.html",
        form=form,
        rows=rows,
        table=table,
        located=len(places),
        figure=charts.to_json(charts.city_map(places)),
    )


@bp.route("/<slug>")
@login_required
def detail(slug: str) -> ResponseReturnValue:  # Who: every signed-in user.
    city = db.one_or_404(sa.select(City).where(City.slug == slug))
    state = state_expression(date.today(), current_app.config["DUE_SOON_DAYS"])
    page = cities.page(city, state)
    shown = list(present.indicators(page.plans))
    indicator_charts = {i.id: charts.to_json(present.indicator_chart(i)) for i in shown}
    tables = [present.indicator_table(i) for i in shown]
    if csv_requested():
        return csv_of(tables)
    return render_template(
        "cities/detail.html",
        page=page,
        city=city,
        labels=STATUS_LABELS,
        indicator_charts=indicator_charts,
        tables={t.name: t for t in tables},
        has_climate=any(p.kind in CLIMATE_KINDS for p in page.plans),
        can_edit=permissions.can_edit_city(current_user, city.id),
    )


@bp.route("/<slug>/climate")
@login_required
def climate(slug: str) -> ResponseReturnValue:  # Who: every signed-in user.
    city = db.one_or_404(sa.select(City).where(City.slug == slug))
    state = state_expression(date.today(), current_app.config["DUE_SOON_DAYS"])
    page = cities.page(city, state)
    plans = [p for p in page.plans if p.kind in CLIMATE_KINDS]
    if not plans:
        abort(404)
    histories = cities.action_histories(plans)
    figures = present.sourced_figures(plans)
    table = present.figures_table(figures)
    if csv_requested():
        return csv_of([table])
    return render_template(
        "cities/climate.html",
        city=city,
        plans=plans,
        histories=histories,
        labels=STATUS_LABELS,
        figures=figures,
        table=table,
        milestones=[(m, s) for m, s in page.milestones if m.plan_id in {p.id for p in plans}],
    )
