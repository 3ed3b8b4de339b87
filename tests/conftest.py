"""Fixtures: one migrated, fact-seeded database per test run (SQLite, or PostgreSQL with
--db=postgresql), and one rolled-back outer transaction per test, so a view that commits
still leaves nothing behind."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from hypothesis import settings

from tracker import create_app
from tracker.database import writing
from tracker.demo import load_demo
from tracker.extensions import db
from tracker.seeding import load_facts

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# Property tests draw the same examples on every run, and remember none between runs: a run
# fails only for what the code does, never by the luck of the draw.
settings.register_profile("suite", derandomize=True, database=None)
settings.load_profile("suite")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="database to run the suite against (PostgreSQL: TRACKER_TEST_POSTGRES_URL, "
        f"default {DEFAULT_POSTGRES_URL})",
    )


def _postgres_admin_url() -> str:
    url = os.environ.get("TRACKER_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _postgres_unreachable(url: str) -> str | None:
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except sa.exc.OperationalError as exc:
        return str(exc.orig).strip().splitlines()[0]
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
    if config.getoption("--db") == "sqlite":
        # Tests of a service on PostgreSQL (several hosts on one database) belong to the
        # PostgreSQL pass; on SQLite they are left out, not skipped.
        kept = [item for item in items if item.get_closest_marker("postgresql") is None]
        if len(kept) < len(items):
            config.hook.pytest_deselected(items=[i for i in items if i not in kept])
            items[:] = kept
    if config.getoption("--db") == "postgresql":
        problem = _postgres_unreachable(_postgres_admin_url())
        if problem:
            if os.environ.get("TRACKER_TEST_REQUIRE_POSTGRES"):
                raise pytest.UsageError(f"PostgreSQL is required but unreachable: {problem}")
            skip = pytest.mark.skip(reason=f"PostgreSQL unreachable ({problem})")
            for item in items:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return request.config.getoption("--db")


@contextmanager
def fresh_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new, empty database of the chosen kind, dropped afterwards."""
    if backend == "sqlite":
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "tracker.sqlite")
        return
    admin_url = sa.make_url(_postgres_admin_url())
    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(backend, tmp_path_factory) as url:
        yield url


def make_config(database_url: str, tmp_path: Path, **overrides: object) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        "INSTANCE_PATH": str(tmp_path),
        # The suite signs in hundreds of times from one address; the limits' own tests lower
        # these and use addresses of their own.
        "SIGN_IN_RATE_LIMIT": "100000 per minute",
        "RESET_RATE_LIMIT": "100000 per minute",
        "RESET_PER_ADDRESS_LIMIT": "100000 per minute",
        "TOKEN_FAILURE_RATE_LIMIT": "100000 per minute",
        **overrides,
    }


class RequestIsolatingClient(FlaskClient):
    """Runs each request in an app context of its own, as a server would, so `g` (where
    Flask-Login caches the user) and the database session do not carry over from the test's
    own context into the request or from one request to the next."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def build_app(database_url: str, instance: Path, *, demo: bool) -> Flask:
    """An app on a database migrated from empty with the project's migrations, then loaded
    with the facts (and the demo data)."""
    app = create_app(make_config(database_url, instance))
    app.test_client_class = RequestIsolatingClient
    with app.app_context(), writing():
        upgrade()
        seeds = Path(app.config["SEEDS_DIR"])
        load_facts(seeds)
        if demo:
            load_demo(seeds)
        db.session.commit()
        db.session.remove()
    return app


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """The app served over HTTP on a free loopback port, in a thread; its address."""
    import threading

    from werkzeug.serving import make_server

    def buffered(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        """The app's answer read whole, its iterable closed: the development server leaves a
        static file open when a browser drops the connection mid-answer (a page left while
        plotly.js was coming), and a file closed only by the garbage collector fails the test
        that happens to be running then."""
        answer = app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()

    server = make_server("127.0.0.1", 0, buffered, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def base_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = build_app(database_url, tmp_path_factory.mktemp("instance"), demo=False)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def demo_base_app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A second database, with the demo data too, for the dashboards."""
    with fresh_database(backend, tmp_path_factory) as url:
        app = build_app(url, tmp_path_factory.mktemp("instance"), demo=True)
        yield app
        with app.app_context():
            db.engine.dispose()


@contextmanager
def rolled_back(app: Flask) -> Iterator[Flask]:
    """Run the test in an outer transaction that is rolled back at its end; the app's
    sessions join it through savepoints, so even a view that commits leaves nothing."""
    with app.app_context():
        engines = cast("dict[str | None, Any]", db.engines)
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
        # The rollback below turns the data-version counter back: start from an empty cache.
        app.extensions["tracker_cache"].clear()
        saved_config = dict(app.config)
        try:
            yield app
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = engine
            app.config.clear()
            app.config.update(saved_config)


@pytest.fixture
def app(base_app: Flask) -> Iterator[Flask]:
    with rolled_back(base_app) as app:
        yield app


@pytest.fixture
def demo_app(demo_base_app: Flask) -> Iterator[Flask]:
    with rolled_back(demo_base_app) as app:
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def csrf_on(app: Flask) -> Flask:
    app.config["WTF_CSRF_ENABLED"] = True
    return app
