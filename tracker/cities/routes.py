"""City pages (every signed-in user)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from tracker import pages
from tracker.cache import remembered
from tracker.cities import bp, present
from tracker.cities.forms import CityFilterForm, RemindForm
from tracker.domain import permissions
from tracker.domain.errors import TooSoon
from tracker.extensions import db
from tracker.forms import commit_once, form_status, sent_key
from tracker.models import City, Programme
from tracker.paging import page_number
from tracker.queries import frameworks, overview
from tracker.queries import rounds as rounds_read
from tracker.services import reminders, review


@bp.route("")
@login_required
def index() -> ResponseReturnValue:  # Who: every signed-in user.
    programme_id = overview.current_programme_id()
    if programme_id is None:
        abort(404)
    # The filter form is made when there is a filter to check or a page to build (not for a
    # page served from the cache without filters).
    checked = None
    if request.args.keys() - {"format", "table"}:
        checked = CityFilterForm(request.args)
        if not checked.validate():
            return render_template("cities/index.html", form=checked), 400

    number = page_number()

    def build(whole: bool) -> pages.Page:
        programme = db.get_or_404(Programme, programme_id)
        form = checked or CityFilterForm(request.args)
        return present.index_page(programme, form.selected(), number, whole=whole, form=form)

    return pages.serve("cities/index.html", build)


def _city_id(slug: str) -> int:
    """The city's id, remembered until the next write; an unknown address is a 404 (and is
    not remembered: made-up addresses do not fill the cache)."""
    city_id = remembered(
        f"city-id:{slug}",
        lambda: db.session.scalar(sa.select(City.id).where(City.slug == slug)),
    )
    if not city_id:
        abort(404)
    return city_id


@bp.route("/<slug>")
@login_required
def detail(slug: str) -> ResponseReturnValue:  # Who: every signed-in user.
    city_id = _city_id(slug)
    number = page_number()  # of its mentees
    can_edit = permissions.can_edit_city(current_user, city_id)
    can_remind = permissions.is_programme_editor(current_user)

    def build(_whole: bool) -> pages.Page:
        return present.detail_page(
            db.get_or_404(City, city_id),
            date.today(),
            current_app.config["DUE_SOON_DAYS"],
            number,
            can_edit=can_edit,
            can_remind=can_remind,
        )

    return pages.serve("cities/detail.html", build, vary=[can_edit, can_remind])


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
    try:
        rows = reminders.nudge(current_user, city, note, date.today())
    except TooSoon as soon:
        page = render_template("cities/remind.html", city=city, form=form, too_soon=soon.message)
        wait = max(1, math.ceil((soon.retry_at - datetime.now(UTC)).total_seconds()))
        return page, 429, {"Retry-After": str(wait)}
    if not rows:
        form.note.errors = [_("%(city)s has no active editor to remind.", city=city.name)]
        return render_template("cities/remind.html", city=city, form=form), 400
    location = url_for("cities.detail", slug=slug)
    # Recorded before it is sent: a refusing mail server leaves it for the next reminder run.
    if (first := commit_once(key, location)) is not None:
        return first
    if current_app.config["MAIL_DELIVERY"] == "worker":  # no web process talks to the mail server
        flash(
            ngettext(
                "Reminder to %(num)d editor recorded: the mail worker sends it.",
                "Reminder to %(num)d editors recorded: the mail worker sends it.",
                len(rows),
            ),
            "info",
        )
    elif reminders.deliver(rows).failed:
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

    def build(_whole: bool) -> pages.Page:
        city = db.get_or_404(City, city_id)
        page = present.climate_page(city, date.today(), current_app.config["DUE_SOON_DAYS"])
        if page is None:
            abort(404)
        return page

    return pages.serve("cities/climate.html", build)


@bp.route("/<slug>/readiness")
@login_required
def readiness(slug: str) -> ResponseReturnValue:  # Who: every signed-in user.
    city = db.get_or_404(City, _city_id(slug))
    found = frameworks.readiness(city.id, approved=review.required())
    return render_template(
        "cities/readiness.html",
        city=city,
        readiness=found,
        needs=frameworks.NEEDS,
        rounds=[r for r in rounds_read.rounds() if city in r.cities and not r.is_open],
    )
