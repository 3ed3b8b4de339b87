"""City pages (every signed-in user)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from tracker import cache, charts
from tracker.cache import remembered
from tracker.cities import bp, present
from tracker.cities.forms import CityFilterForm, RemindForm
from tracker.domain import permissions
from tracker.extensions import db
from tracker.forms import commit_once, form_status, sent_key
from tracker.milestones import present as milestone_present
from tracker.models import City, Programme
from tracker.paging import page_number, paged
from tracker.queries import cities, overview
from tracker.queries.milestones import state_expression
from tracker.services import reminders
from tracker.tables import Table, csv_of, csv_requested
from tracker.vocabulary import STATUS_LABELS

CLIMATE_KINDS = ("climate_programme", "action_programme")


@bp.route("")
@login_required
def index() -> ResponseReturnValue:  # Who: every signed-in user.
    programme_id = overview.current_programme_id()
    if programme_id is None:
        abort(404)
    form = CityFilterForm(request.args)
    if request.args.keys() - {"format", "table"} and not form.validate():
        return render_template("cities/index.html", form=form, rows=None), 400

    number = page_number()

    def page() -> dict[str, object]:
        rows = cities.listing(db.get_or_404(Programme, programme_id), form.selected())
        shown = paged(rows, number)
        places = present.places(shown.items)
        return {
            "form": form,
            "rows": rows,
            "page": shown,
            "table": present.cities_table(shown.items),
            "located": len(places),
            "unplaced": present.unplaced(shown.items),
            "figure": charts.to_json(charts.city_map(places)),
        }

    if csv_requested():
        programme = db.get_or_404(Programme, programme_id)
        return csv_of([present.cities_table(cities.listing(programme, form.selected()))])
    return cache.render_page("cities/index.html", page)


def _city_id(slug: str) -> int:
    """The city's id, remembered until the next write; an unknown address is a 404."""
    ids = remembered(
        "city-ids",
        lambda: {row.slug: row.id for row in db.session.execute(sa.select(City.slug, City.id))},
    )
    if slug not in ids:
        abort(404)
    return ids[slug]


@bp.route("/<slug>")
@login_required
def detail(slug: str) -> ResponseReturnValue:  # Who: every signed-in user.
    city_id = _city_id(slug)
    can_edit = permissions.can_edit_city(current_user, city_id)
    can_remind = permissions.is_programme_editor(current_user)

    def build() -> tuple[list[Table], dict[str, object]]:
        city = db.get_or_404(City, city_id)
        state = state_expression(date.today(), current_app.config["DUE_SOON_DAYS"])
        page = cities.page(city, state)
        shown = list(present.indicators(page.plans))
        tables = [present.indicator_table(i) for i in shown]
        tables.append(milestone_present.milestones_of_city(page.milestones))
        return tables, {
            "page": page,
            "city": city,
            "labels": STATUS_LABELS,
            "indicator_charts": {i.id: charts.to_json(present.indicator_chart(i)) for i in shown},
            "milestone_chart": charts.to_json(
                milestone_present.gantt(page.milestones, date.today())
            ),
            "tables": {t.name: t for t in tables},
            "has_climate": any(p.kind in CLIMATE_KINDS for p in page.plans),
            "can_edit": can_edit,
            "can_remind": can_remind,
        }

    if csv_requested():
        return csv_of(build()[0])
    return cache.render_page("cities/detail.html", lambda: build()[1], vary=[can_edit, can_remind])


@bp.route("/<slug>/remind", methods=["GET", "POST"])
@login_required
def remind(slug: str) -> ResponseReturnValue:  # Who: leads and admins.
    permissions.require_programme_editor(current_user)
    city = db.get_or_404(City, _city_id(slug))
    first, key = sent_key()  # a double click sends one reminder
    if first is not None:
        return first
    form = RemindForm()
    if not form.validate_on_submit():
        return render_template("cities/remind.html", city=city, form=form), form_status(form)
    note = (form.note.data or "").strip() or None
    rows = reminders.nudge(current_user, city, note, date.today())
    if not rows:
        form.note.errors = [_("%(city)s has no active editor to remind.", city=city.name)]
        return render_template("cities/remind.html", city=city, form=form), 400
    location = url_for("cities.detail", slug=slug)
    # Recorded before it is sent: a refusing mail server leaves it for the next reminder run.
    if (first := commit_once(key, location)) is not None:
        return first
    if reminders.deliver(rows).failed:
        flash(
            _(
                "The reminder is recorded but the mail server refused it; it goes with the "
                "next reminder run."
            ),
            "error",
        )
    else:
        flash(
            ngettext(
                "Reminder sent to %(num)d editor.", "Reminder sent to %(num)d editors.", len(rows)
            ),
            "info",
        )
    return redirect(location)


@bp.route("/<slug>/climate")
@login_required
def climate(slug: str) -> ResponseReturnValue:  # Who: every signed-in user.
    city_id = _city_id(slug)

    def build() -> dict[str, object]:
        city = db.get_or_404(City, city_id)
        state = state_expression(date.today(), current_app.config["DUE_SOON_DAYS"])
        page = cities.page(city, state)
        plans = [p for p in page.plans if p.kind in CLIMATE_KINDS]
        if not plans:
            abort(404)
        figures = present.sourced_figures(plans)
        ids = {p.id for p in plans}
        return {
            "city": city,
            "plans": plans,
            "histories": cities.action_histories(plans),
            "labels": STATUS_LABELS,
            "figures": figures,
            "table": present.figures_table(figures),
            "milestones": [(m, s) for m, s in page.milestones if m.plan_id in ids],
        }

    if csv_requested():
        return csv_of([build()["table"]])  # type: ignore[list-item]
    return cache.render_page("cities/climate.html", build)
