"""GET /livez (the process), /readyz (may this host serve) and /healthz (the database)."""

import pytest

from tests.conftest import make_config
from tracker import create_app


def test_healthy_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def database_down(backend: str, tmp_path):
    """An app whose database cannot be reached (it starts all the same)."""
    if backend == "sqlite":
        url = "sqlite:///" + str(tmp_path / "no-such-folder" / "tracker.sqlite")
    else:
        url = "postgresql+psycopg://postgres@127.0.0.1:1/test"  # nothing listens on port 1
    return create_app(make_config(url, tmp_path))


def test_unhealthy_when_the_database_is_down(backend, tmp_path):
    response = database_down(backend, tmp_path).test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error"
    assert "Traceback" not in response.get_data(as_text=True)


def test_live_answers_without_touching_the_database(tmp_path):
    # The database cannot be reached, and /livez still answers: it says only that the
    # process is up (what a supervisor restarts on), not that it can serve.
    url = "sqlite:///" + str(tmp_path / "no-such-folder" / "tracker.sqlite")
    app = create_app(make_config(url, tmp_path))
    response = app.test_client().get("/livez")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.headers["Cache-Control"] == "no-store"


def test_ready_when_the_database_answers_at_the_migration_head(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_not_ready_with_the_database_stopped(backend, tmp_path):
    """The app starts with its database unreachable; /readyz says so (a closed port)."""
    response = database_down(backend, tmp_path).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "checks": {"database": "unreachable"}}
    assert "127.0.0.1" not in response.get_data(as_text=True)


@pytest.mark.once
def test_not_ready_before_the_migrations_or_behind_them(tmp_path):
    from flask_migrate import upgrade

    from tracker.extensions import db
    from tracker.health import migration_head

    app = create_app(make_config("sqlite:///" + str(tmp_path / "old.sqlite"), tmp_path))
    response = app.test_client().get("/readyz")
    assert (response.status_code, response.get_json()["checks"]) == (
        503,
        {"database": "not migrated"},
    )
    with app.app_context():
        upgrade(revision="0014")
        db.engine.dispose()
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == (
        f"schema at 0014, this app needs {migration_head()}: run the migrations"
    )


def test_not_ready_when_the_configured_redis_does_not_answer(app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "redis": "unreachable"}


def test_ready_with_redis_when_it_answers(app):
    import redis

    url = "redis://127.0.0.1:6379/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    finally:
        client.close()
    app.config["REDIS_URL"] = url
    response = app.test_client().get("/readyz")
    assert response.get_json()["checks"] == {"database": "ok", "redis": "ok"}
