"""The JSON API, /api/v1: read endpoints for every kind of record, three write endpoints that
go through the same services as the web forms, errors as application/problem+json."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, json, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from tracker.database import SAFE_METHODS
from tracker.domain.errors import Conflict, DomainError, Invalid, Unprocessable
from tracker.extensions import csrf, db, limiter
from tracker.services import tokens

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Token requests carry no cookie to forge; session requests are checked below instead.
csrf.exempt(bp)

# Guessing tokens: requests refused for their token count against the client's address.
limiter.limit(
    lambda: current_app.config["TOKEN_FAILURE_RATE_LIMIT"],
    deduct_when=lambda response: response.status_code == 401,
)(bp)

# The readable page is an ordinary page: a signed-out visitor is sent to sign in.
PAGES = {"api.docs"}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.errors = status, title, detail, errors


def problem(
    status: int, title: str, detail: str | None = None, errors: list[dict[str, str]] | None = None
) -> Response:
    """An RFC 9457 problem document."""
    body: dict[str, Any] = {"type": "about:blank", "status": status, "title": title}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="icc-tracker"'
    return response


# A query string longer than this is refused by the app itself (414, a problem document) well
# before any server in front would cut the request line (gunicorn's limit is 4094 bytes).
MAX_QUERY_BYTES = 2048


@bp.before_request
def query_within_limit() -> Response | None:
    if len(request.query_string) > MAX_QUERY_BYTES:
        return problem(
            414,
            "URI Too Long",
            _("The query string is longer than %(n)s bytes.", n=f"{MAX_QUERY_BYTES:,}"),
        )
    return None


@bp.before_request
def authenticate() -> Response | None:
    """A Bearer token, or else the browser session (whose writes need the CSRF header)."""
    if request.endpoint in PAGES:
        return None
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _space, raw = header.partition(" ")
        user = tokens.user_for_token(raw.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            return problem(401, "Unauthorized", _("The token is malformed, unknown or revoked."))
        g.api_user = user
        return None
    if current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            csrf.protect()
        g.api_user = current_user._get_current_object()
        return None
    return problem(401, "Unauthorized", _("Send an API token: Authorization: Bearer <token>."))


@bp.errorhandler(ApiError)
def api_error(exc: ApiError) -> Response:
    db.session.rollback()
    return problem(exc.status, exc.title, exc.detail, exc.errors)


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError) -> Response:
    db.session.rollback()
    if isinstance(exc, Unprocessable):
        # A rule that holds whatever is stored (done means 100 %), as the document states it.
        broken = [{"field": field or "-", "reason": reason} for field, reason in exc.errors]
        return problem(
            422, "Unprocessable Content", _("The body breaks the document's rules."), broken
        )
    if isinstance(exc, Invalid):
        # The body kept to the document (checked before), so what a service refuses depends on
        # what is stored: the plan's start, today, whose indicator, which update. A conflict
        # with the current state (RFC 9110), not an unprocessable body.
        errors = [{"field": exc.field, "reason": exc.message}] if exc.field else None
        return problem(409, "Conflict", exc.message, errors)
    titles = {403: "Forbidden", 404: "Not Found", 409: "Conflict"}
    detail = exc.message
    if isinstance(exc, Conflict) and exc.changes:
        detail += " Now: " + ", ".join(f"{k}={v}" for k, v in exc.changes.items())
    return problem(exc.status, titles.get(exc.status, "Error"), detail)


@bp.errorhandler(StaleDataError)
def stale(_exc: StaleDataError) -> Response:
    db.session.rollback()
    return problem(409, "Conflict", _("Someone else changed this record meanwhile."))


@bp.errorhandler(CSRFError)
def csrf_error(exc: CSRFError) -> Response:
    return problem(
        400,
        "Bad Request",
        f"A write with a session needs the X-CSRFToken header ({exc.description}).",
    )


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Response:
    db.session.rollback()
    response = problem(exc.code or 500, exc.name, exc.description)
    for name, value in exc.get_headers():  # e.g. Allow on a 405 (RFC 9110)
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


from tracker.api import conditional, decisions, rounds, routes, writes  # noqa: E402, F401
