"""Public pages. Who: anyone, without signing in, when TRACKER_PUBLIC_PAGES is set; otherwise
they do not exist (404). They show facts and published status only: no notes, authors, e-mail
addresses, evidence links, demo records or forms, and link only to other public pages and to
the sources of facts."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app
from flask.typing import ResponseReturnValue

from tracker import pages, paging
from tracker.cache import remembered
from tracker.extensions import db
from tracker.main.routes import serve_overview
from tracker.models import Programme
from tracker.paging import page_number
from tracker.public import bp, present
from tracker.queries import overview, published
from tracker.queries import rounds as rounds_read
from tracker.queries.milestones import state_expression

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
    return serve_overview(
        _programme_id(), "public/index.html", present.overview_page, layout=LAYOUT
    )


@bp.route("/cohort")
def cohort() -> ResponseReturnValue:  # Who: anyone (public view).
    programme_id = _programme_id()
    number = page_number()
    return pages.serve(
        "public/cohort.html",
        lambda whole: present.cohort_page(
            db.get_or_404(Programme, programme_id), date.today(), number, whole=whole
        ),
        layout=LAYOUT,
    )


@bp.route("/cities/<slug>")
def city(slug: str) -> ResponseReturnValue:  # Who: anyone (public view).
    city_id = remembered(f"public-city-id:{slug}", lambda: published.public_city_id(slug))
    if city_id is None:
        abort(404)
    number = page_number()  # of its mentees

    def build(_whole: bool) -> pages.Page:
        soon = current_app.config["DUE_SOON_DAYS"]
        state = state_expression(date.today(), soon, approved=True)
        window = ((number - 1) * paging.PAGE_SIZE, paging.PAGE_SIZE)
        return present.city_page(published.city(city_id, state, window), number)

    return pages.serve("public/city.html", build, layout=LAYOUT)


@bp.route("/rounds")
def last_round() -> ResponseReturnValue:  # Who: anyone (public view).
    return pages.serve(
        "public/rounds.html",
        lambda _whole: present.round_page(rounds_read.last_closed()),
        layout=LAYOUT,
    )
