"""Two writers on PostgreSQL can wait on each other through the counts its triggers keep: a
report on one action, and a transaction of several actions (an import) that meets the report's
last-report date after taking today's. The database aborts one of them. A report so aborted is
run again from its start and stored once, whichever door it came through: its editor never sees
the error, and an operator's import at the command line is not left to be run again by hand."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from tests.conftest import build_app, fresh_database
from tests.helpers import signed_in_client
from tests.web.test_page_cache import report_through_the_form
from tracker.extensions import db
from tracker.models import Action, City, Plan, ProgressUpdate

pytestmark = pytest.mark.postgresql  # SQLite has one writer at a time: nothing to wait on


def open_actions(city: str, count: int, *, elsewhere: bool = False) -> list[int]:
    """Open actions of `city` (`elsewhere`: of the other cities)."""
    query = (
        sa.select(Action.id)
        .join(Plan)
        .join(City)
        .where(sa.or_(Action.status.is_(None), Action.status.not_in(("done", "cancelled"))))
        .order_by(Action.id)
        .limit(count)
    )
    return list(
        db.session.scalars(query.where((City.slug != city) if elsewhere else (City.slug == city)))
    )


def waiting_backends(other) -> int:
    """How many of the app's connections wait for a lock (seen from `other`'s connection)."""
    return other.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND datname = current_database() AND pid <> pg_backend_pid()"
    ).fetchone()[0]


def through_the_cli(app, action: Action, path: Path) -> int:
    """The report as a one-row import at the command line: its exit code."""
    from tracker.queries.keys import action_ref

    path.write_text(
        "external_id,action,reported_on,status,percent_complete\n"
        f"again-1,{action_ref(action)},{date.today().isoformat()},delayed,41\n"
    )
    result = app.test_cli_runner().invoke(args=["import", "progress", str(path)])
    assert "1 created" in result.output, result.output
    return result.exit_code


@pytest.mark.parametrize(("door", "done"), [("form", 302), ("cli", 0)])
def test_a_report_aborted_by_a_deadlock_is_run_again_and_stored_once(
    backend, tmp_path_factory, door, done
):
    today = date.today()
    shared, other = today - timedelta(days=200), today - timedelta(days=300)
    with fresh_database(backend, tmp_path_factory) as url:
        app = build_app(url, tmp_path_factory.mktemp("deadlock"), demo=True)
        with app.app_context():
            editor = signed_in_client(app, "editor", city="bamberg", email="b@example.org")
            (reported,) = open_actions("bamberg", 1)
            first, second = open_actions("bamberg", 2, elsewhere=True)
            # The report's action and the batch's second share a last report; its first not.
            for action_id, last in ((reported, shared), (second, shared), (first, other)):
                db.session.get(Action, action_id).last_reported_on = last
            db.session.commit()
            before = db.session.scalar(
                sa.select(sa.func.count()).where(ProgressUpdate.action_id == reported)
            )
            libpq = sa.make_url(url).set(drivername="postgresql").render_as_string(False)
            # The app's connections look for a deadlock after 5 s of waiting (not 1 s), so the
            # batch is surely waiting by then, however busy the machine.
            db.session.execute(
                sa.text(
                    f"ALTER DATABASE \"{sa.make_url(url).database}\" SET deadlock_timeout = '5s'"
                )
            )
            db.session.commit()
            action = db.session.get(Action, reported)  # loaded, then used detached
            assert action.plan.city.slug  # the import names it by its city and plan
            db.session.remove()
            db.engine.dispose()

        # The batch: its own connection, which waits long before looking for a deadlock, so
        # the report's transaction is the one PostgreSQL aborts.
        batch = psycopg.connect(libpq)
        batch.execute("SET deadlock_timeout = '60s'")
        watcher = psycopg.connect(libpq, autocommit=True)
        answers: list[object] = []
        csv_file = tmp_path_factory.mktemp("import") / "progress.csv"
        try:
            batch.execute(
                "UPDATE actions SET last_reported_on = %s WHERE id = %s", (today, first)
            )  # holds today's count, and its old date's

            def report() -> None:
                try:
                    with app.app_context():
                        if door == "cli":
                            answers.append(through_the_cli(app, action, csv_file))
                        else:
                            answer = report_through_the_form(
                                editor, action, "delayed", "41", "Again"
                            )
                            answers.append(answer.status_code)
                except Exception as exc:  # shown by the assertion below, not lost in the thread
                    answers.append(exc)

            thread = threading.Thread(target=report)
            thread.start()
            deadline = time.monotonic() + 60
            while (
                not waiting_backends(watcher) and thread.is_alive() and time.monotonic() < deadline
            ):
                time.sleep(0.01)  # until the report waits for today's count
            assert waiting_backends(watcher), f"the report never waited for the batch: {answers}"
            # The batch now needs the count the report holds: each waits for the other.
            batch.execute("UPDATE actions SET last_reported_on = %s WHERE id = %s", (today, second))
            batch.commit()
            thread.join(timeout=120)
        finally:
            batch.close()
            watcher.close()
        assert answers == [done]
        with app.app_context():
            after = db.session.scalar(
                sa.select(sa.func.count()).where(ProgressUpdate.action_id == reported)
            )
            assert after == before + 1  # stored once, though its first run was aborted
            assert db.session.get(Action, reported).last_reported_on == today
            assert db.session.get(Action, second).last_reported_on == today
            db.session.remove()
            db.engine.dispose()
