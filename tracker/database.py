"""Engine set-up: SQLite pragmas and transaction begin modes."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_writing: contextvars.ContextVar[bool] = contextvars.ContextVar("tracker_writing", default=False)
_reading: contextvars.ContextVar[bool] = contextvars.ContextVar("tracker_reading", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Mark the work inside as a read-then-write transaction (CLI commands, jobs)."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


@contextmanager
def reading() -> Iterator[None]:
    """Mark the work inside as reading only, even in a POST (an import's preview): on SQLite
    its transaction begins deferred, so it takes no write lock and never waits for one."""
    token = _writing.set(False)
    reading_token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(reading_token)
        _writing.reset(token)


def _wants_write_lock() -> bool:
    if _reading.get():
        return False
    if _writing.get():
        return True
    return has_request_context() and request.method not in SAFE_METHODS


def configure_engine(engine: Engine) -> None:
    """On SQLite: foreign keys on, WAL, a busy timeout, and transactions that take the write
    lock up front when they will write. A deferred transaction that upgrades to a write fails at
    once with "database is locked", whatever the busy timeout, so writes begin IMMEDIATE."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy ("begin" below); pysqlite's own is unreliable.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 5000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write_lock() else "BEGIN")
