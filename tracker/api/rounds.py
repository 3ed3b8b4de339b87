"""Reporting rounds in the API, and a city's actions as the Covenant of Mayors and CDP files.
Reading: any reader. Opening and closing: leads and admins. A city's reports for the open
round: its editors, leads and admins. A write aimed at a closed round answers 409 and stores
nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

from flask import g, jsonify
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from tracker.api import bp
from tracker.api.reading import body, query
from tracker.api.routes import filters_of, get_or_404, listing
from tracker.api.writes import created, idempotent
from tracker.domain import permissions
from tracker.domain.errors import NotFound, RoundClosed
from tracker.exports import routes as exports_routes
from tracker.models import ReportingRound, SnapshotItem
from tracker.queries import round_compare
from tracker.queries import rounds as read
from tracker.schemas import queries
from tracker.schemas import rounds as shapes
from tracker.services import review, rounds


def round_record(round_: ReportingRound) -> dict[str, Any]:
    return shapes.Round.dump(
        round_,
        state="open" if round_.is_open else "closed",
        cities=sorted(c.slug for c in round_.cities),
        figures=asdict(round_compare.figures(round_)),
    )


@bp.route("/rounds")
def list_rounds() -> ResponseReturnValue:  # Who: any reader.
    q = query(queries.Rounds)
    return listing(read.listing(filters_of(q)), q, lambda rows: [round_record(r) for r in rows])


@bp.route("/rounds/<id:round_id>")
def get_round(round_id: int) -> ResponseReturnValue:  # Who: any reader.
    query(queries.NoQuery)
    return jsonify(round_record(get_or_404(ReportingRound, round_id)))


@bp.route("/rounds/<id:round_id>/items")
def round_items(round_id: int) -> ResponseReturnValue:  # Who: any reader.
    round_ = get_or_404(ReportingRound, round_id)
    q = query(queries.RoundItems)
    if round_.is_open:
        raise RoundClosed(_("This round is open: its snapshot is frozen when it closes."))

    def serialise(rows: Sequence[SnapshotItem]) -> list[dict[str, Any]]:
        names = round_compare.cities_named(r.city_id for r in rows)
        return [shapes.SnapshotEntry.dump(r, city=names[r.city_id].slug) for r in rows]

    return listing(read.item_listing(round_.id, filters_of(q)), q, serialise)


@bp.route("/rounds/<id:round_id>/compare/<id:other_id>")
def compare_rounds(round_id: int, other_id: int) -> ResponseReturnValue:  # Who: any reader.
    query(queries.NoQuery)
    first, second = round_compare.in_order(
        get_or_404(ReportingRound, round_id), get_or_404(ReportingRound, other_id)
    )
    comparison = round_compare.compare(first, second, approved=review.required())
    names = round_compare.cities_named(comparison.moved_by_city)
    return jsonify(
        shapes.RoundComparison(
            first=first.id,
            second=second.id,
            statuses=[
                shapes.StatusCount(status=s, first=a, second=b)
                for s, (a, b) in comparison.statuses.items()
            ],
            changes=[
                shapes.Moved(
                    city=names[c.key[0]].slug,
                    kind=c.key[1],  # type: ignore[arg-type]
                    item_id=c.key[2],
                    title=c.title,
                    before=c.before,
                    after=c.after,
                )
                for c in comparison.changes
            ],
        ).model_dump(mode="json")
    )


@bp.route("/rounds", methods=["POST"])
@idempotent
def open_round() -> ResponseReturnValue:  # Who: leads and admins.
    permissions.require_programme_editor(g.api_user)
    opened = rounds.open_round(g.api_user, body(shapes.RoundOpening))
    return created(round_record(opened))


@bp.route("/rounds/<id:round_id>/close", methods=["POST"])
@idempotent
def close_round(round_id: int) -> ResponseReturnValue:  # Who: leads and admins; closed: 409.
    permissions.require_programme_editor(g.api_user)
    round_ = get_or_404(ReportingRound, round_id)
    body(shapes.RoundClosing)
    return created(round_record(rounds.close_round(g.api_user, round_)))


@bp.route("/rounds/<id:round_id>/cities/<slug>/reports", methods=["POST"])
@idempotent
def report_in_round(round_id: int, slug: str) -> ResponseReturnValue:
    # Who: the city's editors, leads and admins (403 for anyone else, whatever the body); a
    # closed round: 409.
    round_ = get_or_404(ReportingRound, round_id)
    city = next((c for c in round_.cities if c.slug == slug), None)
    if city is None:
        raise NotFound(_("No city %(slug)s in this round.", slug=slug[:80]))
    permissions.require_city_editor(g.api_user, city.id)
    if not round_.is_open:
        raise RoundClosed(_("This round is closed: report in the open round."))
    report = body(shapes.RoundReport)
    stored = rounds.report(g.api_user, round_, city, report, today=date.today())
    return created(
        shapes.RoundReported(round_id=round_.id, city=city.slug, stored=stored).model_dump()
    )


@bp.route("/cities/<slug>/covenant.csv", defaults={"framework": "covenant", "fmt": "csv"})
@bp.route("/cities/<slug>/covenant.xlsx", defaults={"framework": "covenant", "fmt": "xlsx"})
@bp.route("/cities/<slug>/cdp.csv", defaults={"framework": "cdp", "fmt": "csv"})
@bp.route("/cities/<slug>/cdp.xlsx", defaults={"framework": "cdp", "fmt": "xlsx"})
def framework_file(slug: str, framework: str, fmt: str) -> ResponseReturnValue:
    # Who: any reader (a token, as for every read). The same file as the web's export.
    return exports_routes.framework_file(slug, framework, fmt)
