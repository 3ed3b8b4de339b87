"""Error pages in the site's layout; a 500 never shows a trace."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

from tracker.extensions import db

MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "Your account may not do this."),
    404: ("Not found", "There is nothing at this address."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    409: ("Conflict", "Someone else changed this meanwhile."),
    413: ("Too large", "What was sent is larger than this site accepts."),
    500: ("Something went wrong", "The error was logged. Please try again later."),
}


def register(app: Flask) -> None:
    def render(status: int, detail: str | None = None):  # type: ignore[no-untyped-def]
        title, message = MESSAGES[status]
        return render_template(
            "errors/error.html", status=status, title=title, message=detail or message
        ), status

    for status in (400, 403, 404, 405, 409, 413):
        app.register_error_handler(status, lambda exc, status=status: render(status))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):  # type: ignore[no-untyped-def]
        return render(
            400, f"The form had expired or was not sent from this site ({exc.description})."
        )

    @app.errorhandler(500)
    def server_error(exc: Exception):  # type: ignore[no-untyped-def]
        db.session.rollback()
        return render(500)
