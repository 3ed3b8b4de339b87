"""ICC Tracker: the application factory."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response
from werkzeug.routing import Map

from tracker import config as settings
from tracker import guards
from tracker.config import PROJECT_ROOT


class Tracker(Flask):
    """Flask, but a request whose transaction the database aborted (a deadlock between two
    writers, on PostgreSQL) is run again from its start (`database.run_again_when_aborted`)."""

    def dispatch_request(self) -> Any:
        from tracker.database import run_again_when_aborted
        from tracker.extensions import db

        return run_again_when_aborted(super().dispatch_request, db.session.rollback)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Assemble the app: defaults, then TRACKER_* environment variables, then `config`."""
    overrides = dict(config or {})
    instance_path = overrides.pop("INSTANCE_PATH", None) or os.environ.get("TRACKER_INSTANCE_PATH")
    app = Tracker(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_mapping(settings.DEFAULTS)
    app.config.update(settings.from_environment())
    app.config.update(overrides)

    configure_paths(app)
    configure_secret_key(app)
    configure_production(app, {**settings.from_environment(), **overrides})
    register_extensions(app)
    register_converters(app)
    register_blueprints(app)
    register_error_handlers(app)
    guards.register(app)
    register_deliveries(app)
    register_commands(app)
    # Outermost, so that every layer inside (the static files too) sees the client's address.
    configure_proxies(app)
    return app


def configure_paths(app: Flask) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(
            Path(app.instance_path) / "tracker.sqlite"
        )
    app.config["SQLALCHEMY_DATABASE_URI"] = settings.normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    app.config["MAIL_DELIVERY"] = settings.mail_delivery_setting(
        app.config.get("MAIL_DELIVERY"), app.config["ENV_NAME"]
    )
    app.config["REVIEW"] = settings.review_setting(
        app.config.get("REVIEW"), bool(app.config.get("PUBLIC_PAGES"))
    )
    if not app.config.get("SEEDS_DIR"):
        app.config["SEEDS_DIR"] = str(PROJECT_ROOT / "seeds")
    if not app.config.get("ASSETS_DIR"):
        app.config["ASSETS_DIR"] = str(PROJECT_ROOT / "build" / "assets")


def configure_secret_key(app: Flask) -> None:
    """Production must be given a key; development keeps a generated one in the instance folder,
    so sessions survive restarts without anyone having to invent a key."""
    if app.config.get("SECRET_KEY"):
        return
    if app.config["ENV_NAME"] == "production":
        raise RuntimeError(
            "TRACKER_SECRET_KEY is not set. In production (TRACKER_ENV=production) the secret key "
            "must be given: set TRACKER_SECRET_KEY to a long random value."
        )
    key_file = Path(app.instance_path) / "secret_key"
    app.config["SECRET_KEY_GENERATED"] = True  # `flask check` names it: one host only
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    app.config["SECRET_KEY"] = key_file.read_text().strip()


def configure_proxies(app: Flask) -> None:
    """Behind PROXY_HOPS proxies, the client is the address they forward, but only for a
    request that comes from one of TRUSTED_PROXIES; any other peer is the client itself, so a
    client that reaches the app's port directly cannot choose the address it is counted by."""
    hops = app.config["PROXY_HOPS"]
    if hops:
        from tracker.proxies import TrustedProxyFix

        app.wsgi_app = TrustedProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, app.config["TRUSTED_PROXIES"], x_for=hops, x_proto=hops
        )


def configure_production(app: Flask, explicit: Mapping[str, Any]) -> None:
    """In production, cookies are only sent over HTTPS and browsers are told to keep to HTTPS;
    a setting that says otherwise is a start-up error, not a silent downgrade."""
    if app.config["ENV_NAME"] != "production":
        return
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if explicit.get(key) is False:
            raise RuntimeError(
                f"{key} is off, but TRACKER_ENV=production serves over HTTPS only: "
                "unset TRACKER_SESSION_COOKIE_SECURE or set it to true."
            )
        app.config[key] = True
    app.config["HSTS"] = "max-age=31536000; includeSubDomains"


def register_extensions(app: Flask) -> None:
    from flask_compress import Compress

    from tracker.database import configure_engine
    from tracker.extensions import (
        db,
        init_compression,
        init_csrf,
        init_limiter,
        init_login,
        migrate,
    )

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    # Templates get `current_user` as the lazy proxy, not loaded for every page: a public page
    # never reads the session, so a shared cache may keep it (tracker/public).
    init_login(app)
    from flask_login import current_user as lazy_user

    app.context_processor(lambda: {"current_user": lazy_user})
    init_csrf(app)
    from tracker import i18n

    i18n.init_app(app)
    if app.config.get("REDIS_URL"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    init_limiter(app)
    from tracker.sessions import CookieSessions

    app.session_interface = CookieSessions()
    # Pages, API answers and CSV over 1 kB go compressed (brotli, else gzip); the static files
    # are compressed at install (tracker/assets). The session cookie is SameSite=Lax, so a page
    # another site makes the browser fetch carries no session to guess at (BREACH).
    init_compression(app, Compress())
    from tracker import cache

    cache.init_app(app)


# 1 to 2147483647 (MAX_ID) as a regular expression: fewer digits, or ten digits no larger.
MAX_ID_PATTERN = (
    r"(?:[1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}"
    r"|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}"
    r"|21474836[0-3][0-9]|214748364[0-7])"
)


def register_converters(app: Flask) -> None:
    from werkzeug.routing import IntegerConverter

    from tracker.models.base import MAX_ID

    class IdConverter(IntegerConverter):
        """A record id in a URL: 1 to MAX_ID, else no route matches (404). The range is in the
        pattern itself: a value refused only after matching makes werkzeug answer 405 where
        another method's rule shares the path."""

        regex = MAX_ID_PATTERN

        def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
            super().__init__(url_map, min=1, max=MAX_ID)

    app.url_map.converters["id"] = IdConverter


def register_blueprints(app: Flask) -> None:
    from tracker import (
        actions,
        admin,
        api,
        auth,
        cities,
        exports,
        health,
        imports,
        main,
        mentorships,
        milestones,
        my,
        plans,
        public,
        review,
        rounds,
    )

    for blueprint in (
        auth,
        health,
        main,
        my,
        cities,
        plans,
        actions,
        milestones,
        mentorships,
        admin,
        api,
        exports,
        imports,
        public,
        review,
        rounds,
    ):
        app.register_blueprint(blueprint.bp)
    register_template_helpers(app)
    from tracker import assets

    assets.init_app(app)


def register_template_helpers(app: Flask) -> None:
    from urllib.parse import urlencode

    from flask import request, url_for

    from tracker.forms import form_submission_key

    @app.context_processor
    def helpers() -> dict[str, Any]:
        def csv_url(table: str) -> str:
            # The query goes on as a query string, never as url_for's keywords: an argument
            # named "endpoint" or "_external" must not change what url_for does.
            query = {**request.args.to_dict(), "format": "csv", "table": table}
            endpoint = request.endpoint or "main.index"
            return url_for(endpoint, **(request.view_args or {})) + "?" + urlencode(query)

        def page_url(number: int) -> str:
            """This address with another page of its list (the other arguments kept)."""
            query = {**request.args.to_dict(), "page": str(number)}
            endpoint = request.endpoint or "main.index"
            return url_for(endpoint, **(request.view_args or {})) + "?" + urlencode(query)

        def section() -> str:
            """The header's section this page belongs to, named by its endpoint: a plan's or an
            action's page is one of a city's, an account's page is under Accounts."""
            endpoint = request.endpoint or ""
            blueprint = endpoint.partition(".")[0]
            return {
                "main": endpoint,
                "plans": "cities.index",
                "actions": "cities.index",
                "admin": "admin.audit" if endpoint == "admin.audit" else "admin.users",
                "review": "review.queue",
            }.get(blueprint, f"{blueprint}.index")

        return {"csv_url": csv_url, "page_url": page_url, "section": section}

    # A global, so that macros imported without context can put it into every write form.
    app.jinja_env.globals["submission_key"] = form_submission_key

    from flask_login import current_user

    from tracker.domain import permissions

    def can(ability: str) -> bool:
        """What the signed-in person may do, asked of the permission module."""
        return permissions.can(current_user, ability)

    app.jinja_env.globals["can"] = can

    from tracker.cache import remembered
    from tracker.queries import review as review_queries

    def review_count() -> int:
        """The reports the signed-in reviewer may decide now (the header's count), remembered
        until the next write (a new report, a decision, a change of the person's rights)."""
        user = current_user._get_current_object()
        return remembered(f"review-count:{user.id}", lambda: review_queries.count_to_decide(user))

    app.jinja_env.globals["review_count"] = review_count

    from tracker.i18n import LANGUAGES, language

    app.jinja_env.globals["languages"] = LANGUAGES
    app.jinja_env.globals["language"] = language

    from tracker.vocabulary import averaged, framework_label, membership, named, need_label

    app.jinja_env.globals["averaged"] = averaged
    app.jinja_env.globals["membership"] = membership
    app.jinja_env.globals["named"] = named
    app.jinja_env.globals["framework_label"] = framework_label
    app.jinja_env.globals["need_label"] = need_label

    from tracker.charts import COLOURS

    app.jinja_env.globals["chart_colours"] = COLOURS

    from tracker.i18n import local_time

    app.add_template_filter(local_time)

    from tracker import vocabulary

    for name in vocabulary.FILTERS:
        helper = getattr(vocabulary, name)
        app.add_template_filter(helper)


def register_deliveries(app: Flask) -> None:
    """Messages a request recorded (tracker.mail.deliver_later) go once its answer has, if it
    succeeded; what cannot go stays recorded for the next delivery run."""
    from tracker import mail
    from tracker.extensions import db
    from tracker.forms import deliver_after

    @app.after_request
    def deliver_recorded(response: Response) -> Response:
        if not db.session.registry.has():  # the request opened no database session
            return response
        ids = db.session.info.pop(mail.LATER, None)
        if ids and response.status_code < 400:
            deliver_after(response, ids)
        return response


def register_error_handlers(app: Flask) -> None:
    from tracker.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from tracker.cli import register

    register(app)
