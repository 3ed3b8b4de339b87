"""Error pages in the site's layout; domain errors become their HTTP status; a 500 never
shows a trace."""

from typing import Any

from flask import Flask, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from tracker.api import http_error
from tracker.domain.errors import Conflict, DomainError
from tracker.extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Not allowed"), _l("Your account may not do this.")),
    404: (_l("Not found"), _l("There is nothing at this address.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    409: (_l("Conflict"), _l("Someone else changed this meanwhile; nothing of yours was stored.")),
    413: (_l("Too large"), _l("What was sent is larger than this site accepts.")),
    429: (
        _l("Too many requests"),
        _l("Too many attempts from your address: wait a little, then try again."),
    ),
    500: (_l("Something went wrong"), _l("The error was logged. Please try again later.")),
}


def render(status: int, detail: str | None = None, **context: Any) -> tuple[str, int]:
    title, message = MESSAGES[status]
    return render_template(
        "errors/error.html",
        status=status,
        title=str(title),
        message=detail or str(message),
        **context,
    ), status


def render_http(exc: HTTPException, status: int) -> ResponseReturnValue:
    """abort(400, "why") shows its reason; a bare abort shows the standard message. Under
    /api/ (an unknown address, a method not allowed) the answer is a problem document."""
    if request.path.startswith("/api/"):
        return http_error(exc)
    default = type(exc).description
    body, status = render(status, exc.description if exc.description != default else None)
    response = make_response(body, status)
    for name, value in exc.get_headers():  # e.g. Allow on a 405, Retry-After on a 429
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


# Never sent back into a page: secrets, and what the apply form sets anew.
NOT_RESENT = {"csrf_token", "submission_key", "version", "submit"}


def resendable_fields() -> list[tuple[str, list[str]]]:
    """What the person sent, to be sent again on the current version in one step."""
    if request.method != "POST" or request.files:
        return []
    return [
        (name, request.form.getlist(name))
        for name in request.form
        if name not in NOT_RESENT and "password" not in name
    ]


def register(app: Flask) -> None:
    for status in (400, 403, 404, 405, 409, 413, 429):
        app.register_error_handler(status, lambda exc, status=status: render_http(exc, status))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> ResponseReturnValue:
        db.session.rollback()
        return render(
            400, f"The form had expired or was not sent from this site ({exc.description})."
        )

    @app.errorhandler(Conflict)
    def conflict(exc: Conflict) -> ResponseReturnValue:
        db.session.rollback()
        return render(409, exc.message, conflict=exc, resend=resendable_fields())

    @app.errorhandler(StaleDataError)
    def stale(exc: StaleDataError) -> ResponseReturnValue:
        # Two saves raced past the version check; the version column refused the second.
        db.session.rollback()
        return render(409)

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> ResponseReturnValue:
        db.session.rollback()
        return render(exc.status, exc.message)

    @app.errorhandler(500)
    def server_error(exc: Exception) -> ResponseReturnValue:
        db.session.rollback()
        return render(500)
