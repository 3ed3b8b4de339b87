"""create_app: configuration order, templates, secret keys, engine settings."""

from __future__ import annotations

import sqlite3
import stat

import pytest
import sqlalchemy as sa

from tests.conftest import make_config
from tracker import PROJECT_ROOT, create_app
from tracker.database import BUSY_MS, writing
from tracker.extensions import db


@pytest.fixture
def clean_env(monkeypatch):
    for name in (
        "TRACKER_ENV",
        "TRACKER_DATABASE_URL",
        "TRACKER_SECRET_KEY",
        "TRACKER_STALE_AFTER_DAYS",
        "TRACKER_INSTANCE_PATH",
        "TRACKER_SEEDS_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def sqlite_config(tmp_path, **overrides):
    return make_config("sqlite:///" + str(tmp_path / "x.sqlite"), tmp_path, **overrides)


def test_environment_overrides_defaults_and_config_overrides_environment(clean_env, tmp_path):
    clean_env.setenv("TRACKER_STALE_AFTER_DAYS", "30")
    assert create_app(sqlite_config(tmp_path)).config["STALE_AFTER_DAYS"] == 30
    app = create_app(sqlite_config(tmp_path, STALE_AFTER_DAYS=7))
    assert app.config["STALE_AFTER_DAYS"] == 7


def test_default_staleness_window_is_60_days(clean_env, tmp_path):
    assert create_app(sqlite_config(tmp_path)).config["STALE_AFTER_DAYS"] == 60


def test_a_malformed_environment_value_names_the_variable(clean_env, tmp_path):
    clean_env.setenv("TRACKER_STALE_AFTER_DAYS", "sixty")
    with pytest.raises(RuntimeError, match="TRACKER_STALE_AFTER_DAYS"):
        create_app(sqlite_config(tmp_path))


def test_database_url_from_the_environment_gets_the_psycopg_driver(clean_env, tmp_path):
    clean_env.setenv("TRACKER_DATABASE_URL", "postgres://u@db.invalid/tracker")
    app = create_app({"SECRET_KEY": "k", "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.invalid/tracker"


def test_default_database_is_sqlite_in_the_instance_folder(clean_env, tmp_path):
    app = create_app({"SECRET_KEY": "k", "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/tracker.sqlite"


def test_templates_come_from_the_top_level_folder(clean_env, tmp_path):
    app = create_app(sqlite_config(tmp_path))
    assert app.template_folder == str(PROJECT_ROOT / "templates")
    assert app.jinja_env.get_template("base.html").filename == str(
        PROJECT_ROOT / "templates" / "base.html"
    )


def test_development_generates_a_secret_key_once_and_keeps_it(clean_env, tmp_path):
    config = {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    first = create_app(dict(config)).config["SECRET_KEY"]
    second = create_app(dict(config)).config["SECRET_KEY"]
    assert first == second
    assert len(first) >= 32
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_production_without_a_secret_key_is_a_clear_start_up_error(clean_env, tmp_path):
    clean_env.setenv("TRACKER_ENV", "production")
    with pytest.raises(RuntimeError, match="TRACKER_SECRET_KEY is not set"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert not (tmp_path / "secret_key").exists()
    clean_env.setenv("TRACKER_SECRET_KEY", "from-the-environment")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_sqlite_runs_with_foreign_keys_wal_and_a_busy_timeout(clean_env, tmp_path):
    app = create_app(sqlite_config(tmp_path))
    with app.app_context():
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(sa.text("PRAGMA busy_timeout")).scalar() == BUSY_MS == 30_000
        db.session.remove()
        db.engine.dispose()


def _other_writer_blocked(path) -> bool:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
        return True
    else:
        other.execute("ROLLBACK")
        return False
    finally:
        other.close()


def test_write_transactions_take_the_sqlite_write_lock_up_front(clean_env, tmp_path):
    app = create_app(sqlite_config(tmp_path))
    path = tmp_path / "x.sqlite"
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))
        assert not _other_writer_blocked(path)  # a read does not block writers
        db.session.rollback()
        with writing():
            db.session.execute(sa.text("SELECT 1"))
        assert _other_writer_blocked(path)
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def test_passwords_are_hashed_with_scrypt_at_full_cost_by_default(clean_env, tmp_path):
    config = sqlite_config(tmp_path)
    del config["PASSWORD_HASH_METHOD"]
    assert create_app(config).config["PASSWORD_HASH_METHOD"] == "scrypt"


def test_every_answer_carries_the_security_headers(clean_env, tmp_path):
    client = create_app(sqlite_config(tmp_path)).test_client()
    for url in ("/auth/login", "/healthz", "/no-such-page"):
        headers = client.get(url).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "object-src 'none'" in policy
        assert "unsafe-eval" not in policy
        assert "script-src 'self' 'unsafe-inline'" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


def test_a_host_named_by_its_setting_says_so_on_every_answer(clean_env, tmp_path):
    """Behind a load balancer the operator (and the two-host test) can tell who answered;
    unnamed, nothing is said about the host."""
    clean_env.setenv("TRACKER_SERVED_BY", "app-2")
    named = create_app(sqlite_config(tmp_path)).test_client()
    for url in ("/auth/login", "/livez", "/no-such-page"):
        assert named.get(url).headers["X-Served-By"] == "app-2"
    clean_env.delenv("TRACKER_SERVED_BY")
    assert "X-Served-By" not in create_app(sqlite_config(tmp_path)).test_client().get("/").headers


def test_every_setting_the_app_reads_is_in_the_readme():
    from tracker.config import ENVIRONMENT, PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert [name for name in ENVIRONMENT if f"`{name}`" not in readme] == []


def test_every_route_with_a_rate_limit_is_one_the_limiter_looks_at(clean_env, tmp_path):
    """Requests to other routes skip Flask-Limiter's work (tracker/extensions.py); a limit
    added to a route left out of that list would silently never count."""
    from flask_limiter.util import get_qualified_name

    from tracker.extensions import LIMITED_BLUEPRINTS, LIMITED_ENDPOINTS, limiter

    app = create_app(sqlite_config(tmp_path))
    marked = limiter._marked_for_limiting  # the views a @limiter.limit decorates
    limited = {e for e, view in app.view_functions.items() if get_qualified_name(view) in marked}
    assert limited == set(LIMITED_ENDPOINTS)
    blueprints = set(limiter.limit_manager._blueprint_limits)
    assert blueprints == set(LIMITED_BLUEPRINTS)
    # The limiter's hooks run in those blueprints' requests only, not in every request's.
    every_request = [
        *app.before_request_funcs[None],
        *app.after_request_funcs[None],
        *app.teardown_request_funcs.get(None, []),
    ]
    assert not [h for h in every_request if "limiter" in repr(h).lower()]
    assert any("limiter" in repr(h).lower() for h in app.before_request_funcs["api"])
