"""Export files (every signed-in user: everything here is readable by every role)."""

from __future__ import annotations

import re
from typing import IO, cast

from flask import Response, abort, render_template, request, send_file, stream_with_context
from flask.typing import ResponseReturnValue
from flask_login import login_required

from tracker.exports import bp
from tracker.models.city import PARTICIPATION_ROLES
from tracker.models.plan import ACTION_STATUSES
from tracker.queries import exports

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
