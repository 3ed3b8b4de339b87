"""Unbound extension objects, bound to an app by the factory, and what keeps their work per
request small: each extension's request hooks run only where they have work."""

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Flask, Response, request
from flask_babel import gettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from tracker import sessions
from tracker.models.base import Base

db = SQLAlchemy(model_class=Base)
# SQLite runs DDL in real transactions here (see database.py), so a failed migration rolls back.
migrate = Migrate(render_as_batch=True, compare_type=True, transactional_ddl=True)
login_manager = LoginManager()
login_manager.login_view = "auth.login"


def N_(text: str) -> str:
    """Babel's marker: the text is extracted for translation and said later, in a request."""
    return text


# Said in the visitor's language: Flask-Login passes it through gettext when it flashes it.
login_manager.login_message = N_("Please sign in to see this page.")
login_manager.localize_callback = gettext
csrf = CSRFProtect()
# Per client address; storage from RATELIMIT_STORAGE_URI (Redis when TRACKER_REDIS_URL is set,
# else memory, which counts per worker process).
limiter = Limiter(get_remote_address)
# The routes that carry a limit (sign-in, reset, and the API's bad tokens). Every other request
# skips Flask-Limiter's work; tests/unit/test_factory.py checks that each limited route is here.
LIMITED_ENDPOINTS = frozenset({"auth.login", "auth.forgot"})
LIMITED_BLUEPRINTS = frozenset({"api"})
HOOKS = ("before_request_funcs", "after_request_funcs", "teardown_request_funcs")


def _only_when(
    kind: str, hook: Callable[..., Any], when: Callable[..., bool]
) -> Callable[..., Any]:
    if kind == "after_request_funcs":

        def after(response: Response) -> Response:
            return hook(response) if when(response) else response

        return after

    def other(*args: Any) -> Any:
        return hook(*args) if when() else None

    return other


def only_when(app: Flask, install: Callable[[], Any], when: Callable[..., bool]) -> None:
    """Run `install` (an extension's init_app); the request hooks it adds run only `when` says
    so (given the response, for those that run after the view), so that a request they have
    nothing to do for costs nothing of them."""
    before = {kind: list(getattr(app, kind).get(None, ())) for kind in HOOKS}
    install()
    for kind in HOOKS:
        hooks = getattr(app, kind).get(None, [])
        hooks[:] = [h if h in before[kind] else _only_when(kind, h, when) for h in hooks]


def init_limiter(app: Flask) -> None:
    """Bind the rate limiter; its hooks (check the limits, add their headers, forget the
    request's state) are moved from every request to the limited blueprints' requests (and, in
    a blueprint with a few limited routes, run for those routes only)."""
    before = {kind: list(getattr(app, kind).get(None, ())) for kind in HOOKS}
    limiter.init_app(app)
    endpoints: dict[str, set[str]] = {}
    for endpoint in LIMITED_ENDPOINTS:
        endpoints.setdefault(endpoint.split(".")[0], set()).add(endpoint)
    for kind in HOOKS:
        funcs = getattr(app, kind)
        everywhere = funcs.get(None, [])
        added = [h for h in everywhere if h not in before[kind]]
        everywhere[:] = [h for h in everywhere if h in before[kind]]
        for blueprint in LIMITED_BLUEPRINTS:
            funcs.setdefault(blueprint, [])[:0] = added
        for blueprint, names in endpoints.items():
            funcs.setdefault(blueprint, [])[:0] = [
                _only_when(kind, h, partial(_endpoint_in, names)) for h in added
            ]


def _endpoint_in(names: set[str], _response: Response | None = None) -> bool:
    return request.endpoint in names


def init_login(app: Flask) -> None:
    """Bind Flask-Login; its hook that sets or clears the remember-me cookie runs when there is
    one to refresh, or the session was read or written (signing in or out does both). Reading
    the session for it would decode every request's cookie and mark every answer `Vary:
    Cookie`."""
    remember = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")

    def remembering(_response: Response | None = None) -> bool:
        return remember in request.cookies or sessions.in_use(request)

    only_when(app, lambda: login_manager.init_app(app, add_context_processor=False), remembering)


def init_csrf(app: Flask) -> None:
    """Bind Flask-WTF's CSRF protection; its check runs for the methods it protects (POST, PUT,
    PATCH, DELETE), not for the reads that are most requests."""
    protected = set(app.config.get("WTF_CSRF_METHODS") or ("POST", "PUT", "PATCH", "DELETE"))
    only_when(app, lambda: csrf.init_app(app), lambda: request.method in protected)


def init_compression(app: Flask, compress: Any) -> None:
    """Bind Flask-Compress; it looks only at answers large enough to compress (or streamed)."""
    least = app.config["COMPRESS_MIN_SIZE"]

    def large(response: Response) -> bool:
        length = response.content_length
        return length is None or length >= least

    only_when(app, lambda: compress.init_app(app), large)
