"""Reporting rounds. Reading: every signed-in user. Opening and closing: leads and admins. A
city's reports for a round: that city's editors, leads and admins. Every write aimed at a
closed round answers 409 and changes nothing."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from tracker.domain import permissions
from tracker.domain.errors import Invalid, RoundClosed, Unprocessable
from tracker.extensions import db
from tracker.forms import EmptyForm, commit_once, form_status, sent_key, submit
from tracker.models import City, ReportingRound
from tracker.queries import overview, round_compare
from tracker.queries import rounds as read
from tracker.rounds import bp
from tracker.rounds import sheet as sheets
from tracker.rounds.forms import RoundForm
from tracker.schemas.base import build
from tracker.schemas.rounds import RoundOpening
from tracker.services import review, rounds


def _round(round_id: int) -> ReportingRound:
    return db.get_or_404(ReportingRound, round_id)


def _city_of(round_: ReportingRound, slug: str) -> City:
    city = next((c for c in round_.cities if c.slug == slug), None)
    if city is None:
        abort(404)
    return city


@bp.route("")
@login_required
def index() -> ResponseReturnValue:  # Who: every signed-in user.
    own = read.open_round_of(current_user.city_id) if current_user.city_id else None
    return render_template(
        "rounds/index.html",
        rounds=read.rounds(),
        own=own,
        can_open=permissions.is_programme_editor(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:  # Who: leads and admins.
    permissions.require_programme_editor(current_user)
    form = RoundForm()

    def opening() -> ReportingRound:
        slugs = form.slugs
        if not slugs:
            programme_id = overview.current_programme_id()
            slugs = read.programme_city_slugs(programme_id) if programme_id else []
        if not slugs:
            raise Invalid(_("Name the cities that report in this round."), field="cities")
        return rounds.open_round(
            current_user,
            build(
                RoundOpening,
                name=form.name.data,
                period_start=form.period_start.data,
                period_end=form.period_end.data,
                due_on=form.due_on.data,
                cities=slugs,
            ),
        )

    done = submit(
        form,
        opening,
        redirect_to=lambda r: url_for("rounds.detail", round_id=r.id),
        message=_l("Round opened: its cities' reports now fall in it."),
    )
    return done or (render_template("rounds/new.html", form=form), form_status(form))


@bp.route("/<id:round_id>")
@login_required
def detail(round_id: int) -> ResponseReturnValue:  # Who: every signed-in user.
    round_ = _round(round_id)
    return render_template(
        "rounds/detail.html",
        round=round_,
        cities=read.progress_by_city(round_, approved=review.required()),
        others=[r for r in read.rounds() if r.id != round_.id],
        can_close=round_.is_open and permissions.is_programme_editor(current_user),
        can_edit=lambda city_id: permissions.can_edit_city(current_user, city_id),
        form=EmptyForm(),
    )


@bp.route("/<id:round_id>/close", methods=["POST"])
@login_required
def close(round_id: int) -> ResponseReturnValue:  # Who: leads and admins; closed: 409.
    permissions.require_programme_editor(current_user)
    round_ = _round(round_id)
    if not round_.is_open:
        raise RoundClosed(_("This round is closed already: its snapshot cannot change."))
    form = EmptyForm()
    done = submit(
        form,
        lambda: rounds.close_round(current_user, round_),
        redirect_to=lambda r: url_for("rounds.detail", round_id=r.id),
        message=_l("Round closed: its snapshot is frozen."),
    )
    if done:
        return done
    flash(_("The round was not closed: the form was out of date. Try again."), "error")
    return redirect(url_for("rounds.detail", round_id=round_.id))


@bp.route("/<id:round_id>/cities/<slug>", methods=["GET", "POST"])
@login_required
def city(round_id: int, slug: str) -> ResponseReturnValue:
    # Who: reading, every signed-in user; POST, the city's editors, leads and admins (403 for
    # anyone else); a POST to a closed round: 409.
    round_ = _round(round_id)
    city = _city_of(round_, slug)
    approved = review.required()
    page = sheets.sheet(
        read.snapshot(round_, approved=approved, city_id=city.id),
        read.reported_in(round_, city.id),
    )
    if request.method == "POST":
        permissions.require_city_editor(current_user, city.id)
        if not round_.is_open:
            raise RoundClosed(_("This round is closed: report in the open round."))
        answer = _report(round_, city, page)
        if answer is not None:
            return answer
    return _sheet(round_, city, page)


def _sheet(round_: ReportingRound, city: City, page: sheets.Sheet) -> ResponseReturnValue:
    editing = round_.is_open and permissions.can_edit_city(current_user, city.id)
    status = 422 if page.errors else 200
    return render_template(
        "rounds/city.html",
        round=round_,
        city=city,
        sheet=page,
        editing=editing,
        form=EmptyForm(),
        today=date.today().isoformat(),  # what the date field holds
        describe=sheets.describe,
        title=sheets.title,
    ), status


def _report(round_: ReportingRound, city: City, page: sheets.Sheet) -> ResponseReturnValue | None:
    """Store the sheet's reports together, or show it again with each refused row marked."""
    first, key = sent_key()
    if first is not None:
        return first
    if not EmptyForm().validate_on_submit():
        page.errors["form"] = _("The form was out of date: send it again.")
        return None
    body = sheets.read(page, request.form)
    if body is None:
        return None
    try:
        stored = rounds.report(current_user, round_, city, body, today=date.today())
    except Unprocessable as exc:
        sheets.place_errors(page, exc.errors)
    except Invalid as exc:
        if not page.errors:  # "nothing to store" says nothing new beside a row's problem
            page.errors["form"] = exc.message
    if page.errors:
        db.session.rollback()
        return None
    location = url_for("rounds.city", round_id=round_.id, slug=city.slug)
    if (answer := commit_once(key, location)) is not None:
        return answer
    flash(_("%(n)s reports stored in %(round)s.", n=stored, round=round_.name), "info")
    return redirect(location)


@bp.route("/compare")
@login_required
def compare() -> ResponseReturnValue:  # Who: every signed-in user.
    first_id = request.args.get("first", type=int)
    second_id = request.args.get("second", type=int)
    if first_id is None or second_id is None or first_id == second_id:
        abort(400, _("Choose two different rounds to compare."))
    first, second = round_compare.in_order(_round(first_id), _round(second_id))
    city_slug = request.args.get("city") or None
    city = None
    if city_slug is not None:
        city = next((c for c in [*first.cities, *second.cities] if c.slug == city_slug), None)
        if city is None:
            abort(400, _("That city reports in neither round."))
    comparison = round_compare.compare(
        first, second, approved=review.required(), city_id=city.id if city else None
    )
    names = round_compare.cities_named(comparison.moved_by_city)
    return render_template(
        "rounds/compare.html",
        comparison=comparison,
        city=city,
        names=names,
        describe=sheets.describe,
        title=sheets.title,
    )
