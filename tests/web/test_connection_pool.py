"""PostgreSQL's pooled connections: one handed back a moment ago is handed out again without a
round trip to try it first, one that lay idle is tried (and replaced when the server closed it),
and a request whose connection the server had closed (a restart) runs again on a new one: a
read always, a write when nothing of it had reached the server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import _postgres_admin_url, build_app, fresh_database
from tests.factories import PASSWORD, make_user
from tracker import database
from tracker.extensions import db
from tracker.models.user import User, UserSession

# PostgreSQL's pass only (an SQLite file has no server to close a connection): left out of the
# SQLite pass, not skipped.
pytestmark = pytest.mark.postgresql
PAGE = "/public/"


@pytest.fixture(scope="module")
def pooled(backend, tmp_path_factory) -> Iterator[Flask]:
    """An app on a database of its own, its requests on the pool's connections (not the
    suite's one rolled-back connection)."""
    with fresh_database(backend, tmp_path_factory) as url:
        app = build_app(url, tmp_path_factory.mktemp("pool-instance"), demo=False)
        app.config.update(PUBLIC_PAGES=True, PAGE_CACHE=False)
        yield app
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def pings(pooled, monkeypatch) -> list[int]:
    """Counts the tries of a connection before it is handed out; a connection counts as idle
    after an hour (no test waits that long), unless a test says otherwise."""
    monkeypatch.setattr(database, "IDLE_BEFORE_PING", 3600.0)
    with pooled.app_context():
        dialect = db.engine.dialect
    tried: list[int] = []
    real = dialect.do_ping

    def counted(dbapi_connection):
        tried.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return tried


def _close_connections_from_the_server(app: Flask) -> int:
    """End every session the server holds for the app's database, as a restart would (each
    waited for, up to 5 s, until it has ended)."""
    with app.app_context():
        name = db.engine.url.database
    admin = sa.create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return len(
                connection.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                ).all()
            )
    finally:
        admin.dispose()


def test_a_connection_handed_back_a_moment_ago_is_handed_out_untried(pooled, pings, monkeypatch):
    client = pooled.test_client()
    assert client.get(PAGE).status_code == 200
    pings.clear()
    for _ in range(3):
        assert client.get(PAGE).status_code == 200
    assert pings == []
    monkeypatch.setattr(database, "IDLE_BEFORE_PING", 0.0)
    assert client.get(PAGE).status_code == 200
    assert pings != []


def test_an_idle_connection_the_server_closed_is_replaced_before_use(pooled, pings, monkeypatch):
    client = pooled.test_client()
    assert client.get(PAGE).status_code == 200
    assert _close_connections_from_the_server(pooled) >= 1
    monkeypatch.setattr(database, "IDLE_BEFORE_PING", 0.0)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert pings != []


def test_a_read_on_a_connection_the_server_closed_is_answered_on_a_new_one(pooled, pings):
    client = pooled.test_client()
    first = client.get(PAGE)
    assert first.status_code == 200
    assert _close_connections_from_the_server(pooled) >= 1
    # Handed back a moment ago, the closed connection is handed out untried: the read fails on
    # it and runs again on a new connection.
    again = client.get(PAGE)
    assert pings == []
    assert again.status_code == 200
    assert again.data == first.data


def test_a_write_on_a_connection_the_server_closed_is_stored_once_on_a_new_one(pooled, pings):
    with pooled.app_context():
        make_user("lead", email="pool-lead@example.org")
        db.session.remove()
    client = pooled.test_client()
    assert client.get(PAGE).status_code == 200
    assert _close_connections_from_the_server(pooled) >= 1
    # The sign-in's first statement fails on the closed connection: nothing reached the
    # server, so the sign-in runs again on a new connection and is stored once.
    response = client.post(
        "/auth/login", data={"email": "pool-lead@example.org", "password": PASSWORD}
    )
    assert pings == []
    assert response.status_code == 302
    with pooled.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == "pool-lead@example.org"))
        sessions = db.session.scalars(
            sa.select(UserSession).where(UserSession.user_id == user.one().id)
        ).all()
        db.session.remove()
    assert len(sessions) == 1


def test_a_write_whose_request_committed_before_is_not_run_again(pooled, pings):
    """A closed connection met after a commit of the same request: running the request again
    would store that commit twice, so the error stands (a write answered 500, stored once)."""
    runs: list[int] = []

    def request_with_two_transactions() -> None:
        runs.append(1)
        db.session.execute(sa.text("SELECT 1"))
        db.session.commit()
        _close_connections_from_the_server(pooled)
        db.session.execute(sa.text("SELECT 1"))

    with pooled.test_request_context("/", method="POST"):
        with pytest.raises(sa.exc.OperationalError):
            database.run_again_when_aborted(request_with_two_transactions, db.session.rollback)
        db.session.remove()
    assert runs == [1]
    assert pings == []
