"""Engine set-up: SQLite pragmas and transaction begin modes."""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# How long a statement waits for a lock another connection holds. An import's write of 10,000
# rows holds SQLite's write lock for seconds on a slow or busy machine (over five under a
# coverage tracer): a sign-in or a report waits for it rather than failing.
BUSY_MS = 30_000
# PostgreSQL aborts one of two transactions that wait on each other (deadlock detected, as two
# writers may on the totals its triggers keep) or that it cannot serialise; the aborted one is
# run again from its start, up to ATTEMPTS times in all.
RUN_AGAIN = frozenset({"40P01", "40001"})
ATTEMPTS = 3
# A pooled PostgreSQL connection is tried (one round trip) before it is handed out only when it
# lay unused this long: one handed back a moment ago was working then, and trying it before
# every request was one of a cached page's four round trips.
IDLE_BEFORE_PING = 10.0
T = TypeVar("T")
log = logging.getLogger(__name__)
_writing: contextvars.ContextVar[bool] = contextvars.ContextVar("tracker_writing", default=False)
_reading: contextvars.ContextVar[bool] = contextvars.ContextVar("tracker_reading", default=False)
# Set when a connection the server had closed failed on the first statement sent on it since it
# left the pool: nothing of the transaction reached the server, so it can run again.
_failed_unused: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "tracker_failed_unused", default=False
)
# Set when a transaction committed (on PostgreSQL): what runs again must not have committed.
_committed: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "tracker_committed", default=False
)


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
    once with "database is locked", whatever the busy timeout, so writes begin IMMEDIATE. On
    PostgreSQL: no JIT compilation."""
    if engine.dialect.name == "postgresql":
        configure_postgresql(engine)
        return
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy ("begin" below); pysqlite's own is unreliable.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if _wants_write_lock():
            _begin_immediate(connection)
        else:
            connection.exec_driver_sql("BEGIN")


def _begin_immediate(connection: Connection) -> None:
    """Take the write lock, waiting for it up to BUSY_MS. SQLite's own busy handler sleeps 1,
    2, 5, 10 ... 100 ms between tries, so a writer that just missed the lock waits far longer
    than the write it waits for takes (a few milliseconds): try again every fraction of a
    millisecond instead. Other statements keep the busy timeout."""
    deadline = time.monotonic() + BUSY_MS / 1000
    pause = 0.0002
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    dbapi.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as exc:
                if "locked" not in str(exc.orig) or time.monotonic() > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 1.5, 0.002)
    finally:
        dbapi.execute(f"PRAGMA busy_timeout = {BUSY_MS}")


def configure_postgresql(engine: Engine) -> None:
    """The planner's cost of a dashboard's correlated aggregates passes `jit_above_cost`, and
    compiling them took longer than running them (at 10,000 cities, 0.44 s of the overview's
    0.67 s query): the app's connections run without JIT. A connection that lay unused in the
    pool for IDLE_BEFORE_PING seconds is tried before it is handed out, and replaced if the
    server closed it (restarted, or ended idle sessions)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.commit()
        record.info["returned"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned"] = time.monotonic()

    @event.listens_for(engine, "after_cursor_execute")
    def _on_statement(connection: Connection, *_args: Any) -> None:
        connection.info["sent"] = True

    @event.listens_for(engine, "commit")
    def _on_commit(_connection: Connection) -> None:
        _committed.set(True)

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        connection = context.connection
        if context.is_disconnect and connection is not None:
            _failed_unused.set(not connection.info.get("sent"))

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        record.info["sent"] = False
        if time.monotonic() - record.info.get("returned", 0.0) < IDLE_BEFORE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # whatever the driver raises: the pool connects anew
            raise DisconnectionError(str(exc)) from exc


def run_again_when_aborted(run: Callable[[], T], rollback: Callable[[], None]) -> T:
    """`run()`, and again (after `rollback()`) while the database aborts its transaction for a
    deadlock or a serialisation failure (RUN_AGAIN), up to ATTEMPTS times in all. Everything
    `run` wrote was rolled back with the transaction, so running it again stores it once. So
    is a request whose connection the server had closed (restarted, say): a read always, a
    write when the connection failed on its first statement (nothing reached the server; else
    whether the server stored the write before the connection went is not known). Never when
    an earlier transaction of the same `run` committed: running it again would repeat that."""
    for attempt in range(1, ATTEMPTS + 1):
        _failed_unused.set(False)
        _committed.set(False)
        try:
            return run()
        except DBAPIError as exc:
            state = getattr(exc.orig, "sqlstate", None)
            gone = exc.connection_invalidated and (_failed_unused.get() or not _wants_write_lock())
            again = state in RUN_AGAIN or gone
            if not again or _committed.get() or attempt == ATTEMPTS:
                raise
            rollback()
            why = "connection closed by the server" if gone else state
            log.warning("transaction aborted (%s), run again: attempt %d", why, attempt + 1)
    raise AssertionError("unreachable")  # pragma: no cover
