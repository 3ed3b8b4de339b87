"""Health checks: /livez for process supervisors (the process answers; nothing else is
touched), /readyz for load balancers (may this host serve: the database answers, its schema is
at this app's migration head, Redis answers where it is configured), and /healthz, the
database alone, kept for the monitors that use it. Nothing secret is said: no address, no
message of a driver."""

from __future__ import annotations

from functools import cache

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tracker.config import PROJECT_ROOT
from tracker.extensions import db

bp = Blueprint("health", __name__)


@bp.route("/livez")
def livez() -> ResponseReturnValue:  # Who: anyone; it says only that the process answers.
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:  # Who: anyone; it tells nothing but up or down.
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok")


@cache
def migration_head() -> str | None:
    """This app's newest migration (read once per process from migrations/)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_current_head()


def _database() -> str:
    try:
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        db.session.rollback()
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            db.session.rollback()
            return "unreachable"
        return "not migrated"
    if revision != migration_head():
        return f"schema at {revision}, this app needs {migration_head()}: run the migrations"
    return "ok"


def _redis() -> str | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        return "unreachable"
    finally:
        client.close()
    return "ok"


@bp.route("/readyz")
def readyz() -> ResponseReturnValue:  # Who: anyone; it names what is down, nothing secret.
    checks = {"database": _database()}
    if (found := _redis()) is not None:
        checks["redis"] = found
    ready = all(state == "ok" for state in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503
