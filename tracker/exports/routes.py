"""Export files (every signed-in user: everything here is readable by every role)."""

from __future__ import annotations

import re
from typing import IO, cast

import sqlalchemy as sa
from flask import Response, abort, render_template, request, send_file, stream_with_context
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_login import login_required

from tracker.exports import bp
from tracker.extensions import db
from tracker.models import City, ReportingRound
from tracker.models.city import PARTICIPATION_ROLES
from tracker.models.plan import ACTION_STATUSES
from tracker.queries import exports, frameworks
from tracker.services import review

FILTER_RULES = {
    "city": re.compile(r"^[a-z0-9-]{1,80}$"),
    "sector": re.compile(r"^[a-z0-9-]{1,80}$"),
    "country": re.compile(r"^[A-Z]{2}$"),
    "role": re.compile(rf"^({'|'.join(PARTICIPATION_ROLES)})$"),
    "status": re.compile(rf"^({'|'.join(ACTION_STATUSES)})$"),
}
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.route("")
@login_required
def index() -> ResponseReturnValue:  # Who: every signed-in user.
    return render_template("exports/index.html", exports=exports.EXPORTS)


@bp.route("/<kind>.<fmt>")
@login_required
def download(kind: str, fmt: str) -> ResponseReturnValue:  # Who: every signed-in user.
    spec = exports.EXPORTS.get(kind)
    if spec is None or fmt not in MIMETYPES:
        abort(404)
    filters = {}
    for name, value in request.args.items():
        rule = FILTER_RULES.get(name)
        if name not in spec.filters or rule is None:
            abort(
                400, f"The {kind} export takes the filters {', '.join(spec.filters)}, not {name!r}."
            )
        if not rule.match(value):
            abort(400, f"{value!r} is not a valid {name}.")
        filters[name] = value
    rows = exports.export_rows(kind, filters)
    name = f"icc-{kind}.{fmt}"
    if fmt == "csv":
        return Response(
            stream_with_context(exports.csv_chunks(rows)),
            mimetype=MIMETYPES["csv"],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return send_file(
        cast("IO[bytes]", exports.xlsx_file(rows, kind)),
        mimetype=MIMETYPES["xlsx"],
        as_attachment=True,
        download_name=name,
    )


FRAMEWORK_FILES = {"covenant": "covenant-mitigation-actions", "cdp": "cdp-mitigation-actions"}


def framework_file(slug: str, framework: str, fmt: str) -> Response:
    """A city's actions shaped for a framework (queries/frameworks.py), now or as the round
    `?round=` froze them, as CSV or XLSX, its codes in English (the frameworks' words) and
    every text cell neutralised as in the other exports: 404 for an unknown city, framework or
    format; 400 for a round that is not a number or that the city does not report in."""
    if framework not in FRAMEWORK_FILES or fmt not in MIMETYPES:
        abort(404)
    city = db.session.scalar(sa.select(City).where(City.slug == slug))
    if city is None:
        abort(404)
    extra = set(request.args) - {"round"}
    if extra:
        abort(400, f"This export takes the filter round, not {sorted(extra)[0]!r}.")
    round_ = None
    if "round" in request.args:
        round_id = request.args.get("round", type=int)
        round_ = db.session.get(ReportingRound, round_id) if round_id else None
        if round_ is None or city not in round_.cities:
            abort(400, f"{city.name} reports in no round {request.args['round']!r}.")
    with force_locale("en"):
        rows = [
            [exports.cell(v) for v in row]
            for row in frameworks.sheet(framework, city.id, round_, approved=review.required())
        ]
    name = f"{FRAMEWORK_FILES[framework]}-{city.slug}"
    if round_ is not None:
        name += f"-round-{round_.id}"
    if fmt == "csv":
        return Response(
            "".join(exports.csv_chunks(iter(rows))),
            mimetype=MIMETYPES["csv"],
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    title = frameworks.COVENANT_SHEET if framework == "covenant" else "Mitigation actions (CDP)"
    return send_file(
        cast("IO[bytes]", exports.xlsx_file(iter(rows), title)),
        mimetype=MIMETYPES["xlsx"],
        as_attachment=True,
        download_name=f"{name}.xlsx",
    )


@bp.route("/cities/<slug>/<framework>.<fmt>")
@login_required
def for_framework(slug: str, framework: str, fmt: str) -> ResponseReturnValue:
    return framework_file(slug, framework, fmt)  # Who: every signed-in user.
