"""City pages (every signed-in user)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from tracker import charts
from tracker.cities import bp
from tracker.cities.forms import CityFilterForm
from tracker.extensions import db
from tracker.forms import choices
from tracker.models import City
from tracker.models.city import PARTICIPATION_ROLES
from tracker.models.plan import LGD_STATUSES
from tracker.services import cities, options, overview, permissions
from tracker.services.milestones import state_expression
from tracker.tables import Table, csv_of, csv_requested
from tracker.vocabulary import STATUS_LABELS

CLIMATE_KINDS = ("climate_programme", "action_programme")


def _filter_choices(form: CityFilterForm) -> None:
    form.role.choices = choices([("", "All roles"), *((r, r) for r in PARTICIPATION_ROLES)])
    form.country.choices = choices([("", "All countries"), *options.countries()])
    form.sector.choices = choices([("", "All sectors"), *options.sectors()])
    form.lgd_status.choices = choices(
        [("", "Any deal status"), *((s, s.replace("_", " ")) for s in LGD_STATUSES)]
    )
    form.sort.choices = choices((s, s.replace("_", " ")) for s in cities.SORTS)


@bp.route("")
@login_required
def index() -> ResponseReturnValue:  # Who: every signed-in user.
    programme = overview.current_programme()
    if programme is None:
        abort(404)
    form = CityFilterForm(request.args)
    _filter_choices(form)
    if request.args.keys() - {"format", "table"} and not form.validate():
        return render_template("cities/index.html", form=form, rows=None), 400
    rows = cities.listing(
        programme,
        cities.CityFilter(
            role=form.role.data or None,
            country=form.country.data or None,
            sector=form.sector.data or None,
            lgd_status=form.lgd_status.data or None,
            sort=form.sort.data or "name",
        ),
    )
    table = Table(
        "cities",
        "Cities",
        [
            "city",
            "country",
            "role",
            "deal status",
            "sectors",
            "last update",
            "latitude",
            "longitude",
        ],
        [
            [
                r.name,
                r.country,
                r.role,
                (r.lgd_status or "").replace("_", " "),
                r.sectors,
                r.last_update,
                r.latitude,
                r.longitude,
            ]
            for r in rows
        ],
    )
    if csv_requested():
        return csv_of([table])
    places = [
        charts.Place(r.name, r.latitude, r.longitude, r.role)
        for r in rows
        if r.latitude is not None and r.longitude is not None
    ]
    return render_template(
        "cities/index.html",
        form=form,
        rows=rows,
        table=table,
        located=len(places),
        figure=charts.city_map(places).to_json(),
    )


@bp.route("/<slug>")
@login_required
def detail(slug: str) -> ResponseReturnValue:  # Who: every signed-in user.
    city = db.one_or_404(sa.select(City).where(City.slug == slug))
    state = state_expression(date.today(), current_app.config["DUE_SOON_DAYS"])
    page = cities.page(city, state)
    indicator_charts = {
        indicator.id: charts.indicator_series(
            indicator.name,
            indicator.unit,
            [(v.measured_on, v.value) for v in indicator.values],
            indicator.baseline_value,
            indicator.target_value,
            indicator.target_on,
        ).to_json()
        for plan in page.plans
        for action in plan.actions
        for indicator in action.indicators
    }
    tables = [
        Table(
            f"indicator-{indicator.id}",
            f"{indicator.name} ({indicator.unit})",
            ["date", "value", "baseline", "target"],
            [
                [v.measured_on, v.value, indicator.baseline_value, indicator.target_value]
                for v in indicator.values
            ],
        )
        for plan in page.plans
        for action in plan.actions
        for indicator in action.indicators
    ]
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
    figures = [
        (plan, action, indicator, v)
        for plan in plans
        for action in plan.actions
        for indicator in action.indicators
        for v in indicator.values
    ]
    table = Table(
        "figures",
        "Sourced figures",
        ["programme", "measure", "figure", "value", "unit", "date", "note", "source"],
        [
            [
                p.local_title or p.title,
                a.title,
                i.name,
                v.value,
                i.unit,
                v.measured_on,
                v.note,
                v.source_url,
            ]
            for p, a, i, v in figures
        ],
    )
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
