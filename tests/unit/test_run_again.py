"""A transaction the database aborts for a deadlock or a serialisation failure is run again from
its start (at most three times in all); any other error is raised at once, nothing run again."""

from __future__ import annotations

import psycopg.errors
import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from tracker.database import ATTEMPTS, run_again_when_aborted


def failing(*errors: Exception):
    """A run that raises each of `errors` in turn, then answers "stored"; and its calls."""
    calls: list[str] = []

    def run() -> str:
        calls.append("run")
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "stored"

    return run, calls


def aborted(kind: type[Exception]) -> OperationalError:
    return OperationalError("UPDATE actions ...", {}, kind())


def test_a_deadlock_and_a_serialisation_failure_are_run_again():
    run, calls = failing(
        aborted(psycopg.errors.DeadlockDetected), aborted(psycopg.errors.SerializationFailure)
    )
    rollbacks: list[int] = []
    assert run_again_when_aborted(run, lambda: rollbacks.append(1)) == "stored"
    assert len(calls) == 3
    assert len(rollbacks) == 2


def test_a_request_aborted_every_time_fails_after_the_last_attempt():
    run, calls = failing(*(aborted(psycopg.errors.DeadlockDetected) for _ in range(ATTEMPTS)))
    with pytest.raises(OperationalError):
        run_again_when_aborted(run, lambda: None)
    assert len(calls) == ATTEMPTS == 3


def test_other_errors_are_not_run_again():
    unique = IntegrityError("INSERT ...", {}, psycopg.errors.UniqueViolation())
    rollbacks: list[int] = []
    for error in (unique, aborted(psycopg.errors.QueryCanceled), ValueError("bad")):
        run, calls = failing(error)
        with pytest.raises(type(error)):
            run_again_when_aborted(run, lambda: rollbacks.append(1))
        assert calls == ["run"]
    assert rollbacks == []
