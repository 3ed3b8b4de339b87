"""The mail worker (`flask mail work`): it delivers each recorded message once, to a real SMTP
server; what fails stays recorded with its error; several workers on PostgreSQL never send a
message twice; SIGTERM stops it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import build_app, fresh_database
from tests.factories import make_user
from tests.mail_server import free_port, smtp_server, text_of
from tracker.config import PROJECT_ROOT
from tracker.extensions import db
from tracker.models import OutgoingMail
from tracker.services import reminders


def record_messages(count: int) -> list[int]:
    user = make_user("editor", city="bamberg", email="worker-reader@example.org")
    rows = [
        reminders.record(user, "nudge", f"worker-{n}", "awaiting", awaiting=n + 1, today=None)
        for n in range(count)
    ]
    db.session.commit()
    return [r.id for r in rows]


def unsent() -> int:
    query = (
        sa.select(sa.func.count()).select_from(OutgoingMail).where(OutgoingMail.sent_at.is_(None))
    )
    return int(db.session.scalar(query) or 0)


def test_the_worker_delivers_each_message_once(app):
    app.config.update(MAIL_RETRIES=1, MAIL_BACKOFF_SECONDS=0)
    ids = record_messages(3)
    with smtp_server() as (inbox, port):
        app.config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"
        first = app.test_cli_runner().invoke(args=["mail", "work", "--once"])
        again = app.test_cli_runner().invoke(args=["mail", "work", "--once"])
    assert first.exit_code == 0, first.output
    assert "3 sent, 0 attempt(s) failed." in first.output
    assert "0 sent, 0 attempt(s) failed." in again.output
    assert len(inbox.to("worker-reader@example.org")) == 3
    stored = db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.id.in_(ids))).all()
    assert all(r.sent_at is not None for r in stored)


def test_what_cannot_be_sent_stays_recorded_with_its_error(app):
    app.config.update(MAIL_RETRIES=2, MAIL_BACKOFF_SECONDS=0)
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    record_messages(1)
    result = app.test_cli_runner().invoke(args=["mail", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert "0 sent, 1 attempt(s) failed." in result.output
    row = db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.kind == "nudge")).one()
    assert (row.sent_at, row.attempts) == (None, 2)
    assert row.last_error


def test_bad_options_are_refused(app):
    result = app.test_cli_runner().invoke(args=["mail", "work", "--poll", "0"])
    assert result.exit_code == 2
    assert "--poll" in result.output


@pytest.mark.postgresql  # SQLite runs one worker
def test_two_workers_on_postgresql_never_send_a_message_twice(backend, tmp_path_factory):
    from tracker.services.mail_worker import Worker

    with fresh_database(backend, tmp_path_factory) as url:
        app = build_app(url, tmp_path_factory.mktemp("workers"), demo=False)
        app.config.update(MAIL_RETRIES=1, MAIL_BACKOFF_SECONDS=0)
        with smtp_server() as (inbox, port):
            app.config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"
            with app.app_context():
                record_messages(40)
                db.session.remove()

            def work(worker: Worker) -> None:
                with app.app_context():
                    worker.run_once()
                    db.session.remove()

            workers = [Worker(), Worker()]
            threads = [threading.Thread(target=work, args=(w,)) for w in workers]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            with app.app_context():
                left = unsent()
                db.session.remove()
                db.engine.dispose()
        ids = [m["Message-ID"] for m in inbox.to("worker-reader@example.org")]
    assert left == 0
    assert len(ids) == 40
    assert len(set(ids)) == 40  # none twice
    assert sum(w.sent for w in workers) == 40


@pytest.mark.once
def test_sigterm_stops_the_worker_cleanly(tmp_path):
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": "sqlite:///" + str(tmp_path / "worker.sqlite"),
        "TRACKER_INSTANCE_PATH": str(tmp_path),
        "TRACKER_SECRET_KEY": "worker-test-key-" + "x" * 32,
    }
    flask = str(Path(sys.executable).parent / "flask")
    subprocess.run(
        [flask, "--app", "tracker", "db", "upgrade"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    worker = subprocess.Popen(
        [flask, "--app", "tracker", "mail", "work", "--poll", "0.2"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert worker.stdout is not None
        assert "Mail worker started" in worker.stdout.readline()
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "0 written to" in output or "0 sent" in output


def test_with_the_worker_a_reset_talks_to_no_mail_server_in_its_request(app):
    """TRACKER_MAIL_DELIVERY=worker (production's default): a reset for a known address is
    recorded in the request and sent by the worker, so its request does what an unknown
    address's does."""
    app.config.update(MAIL_DELIVERY="worker", MAIL_RETRIES=1, MAIL_BACKOFF_SECONDS=0)
    make_user("viewer", email="forgetful@example.org")
    with smtp_server() as (inbox, port):
        app.config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"
        for address in ("forgetful@example.org", "nobody@example.org"):
            response = app.test_client().post("/auth/forgot", data={"email": address})
            assert response.status_code == 200
        assert inbox.messages == []
        assert unsent() == 1
        (waiting,) = db.session.scalars(sa.select(OutgoingMail)).all()
        assert "/auth/set-password/" in waiting.body_text
        result = app.test_cli_runner().invoke(args=["mail", "work", "--once"])
        assert "1 sent" in result.output
    assert [m["To"] for m in inbox.messages] == ["forgetful@example.org"]
    assert "/auth/set-password/" in text_of(inbox.messages[0])
    # Sent, the message keeps no working link: a copy of the database holds none.
    db.session.expire_all()
    (sent,) = db.session.scalars(sa.select(OutgoingMail)).all()
    assert sent.sent_at is not None
    assert "/auth/set-password/" not in sent.body_text + sent.body_html


def test_the_delivery_setting_is_checked():
    from tracker.config import mail_delivery_setting

    assert mail_delivery_setting(None, "production") == "worker"
    assert mail_delivery_setting("", "development") == "request"
    with pytest.raises(RuntimeError, match="TRACKER_MAIL_DELIVERY='later' is not valid"):
        mail_delivery_setting("later", "production")


def test_with_the_worker_an_invitation_is_recorded_and_the_worker_sends_it(app):
    app.config.update(MAIL_DELIVERY="worker", MAIL_RETRIES=1, MAIL_BACKOFF_SECONDS=0)
    from tests.helpers import signed_in_client

    admin = signed_in_client(app, "admin", email="root@example.org")
    with smtp_server() as (inbox, port):
        app.config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"
        response = admin.post(
            "/admin/users", data={"email": "newcomer@example.org", "role": "viewer"}
        )
        assert response.status_code == 302
        cli = app.test_cli_runner().invoke(
            args=["users", "create", "second@example.org", "--role", "viewer", "--invite"]
        )
        assert "Invitation to second@example.org recorded: the mail worker sends it." in cli.output
        assert inbox.messages == []  # no request or command talked to the mail server
        assert unsent() == 2
        app.test_cli_runner().invoke(args=["mail", "work", "--once"])
    assert sorted(m["To"] for m in inbox.messages) == [
        "newcomer@example.org",
        "second@example.org",
    ]


def test_with_the_worker_a_leads_reminder_is_recorded_and_the_worker_sends_it(app):
    """A lead's reminder to a city makes no SMTP connection in its request either."""
    app.config.update(MAIL_DELIVERY="worker", MAIL_RETRIES=1, MAIL_BACKOFF_SECONDS=0)
    from tests.helpers import page_text, signed_in_client

    make_user("editor", city="bamberg", email="reminded@example.org")
    lead = signed_in_client(app, "lead", email="reminding@example.org")
    with smtp_server() as (inbox, port):
        app.config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"
        response = lead.post("/cities/bamberg/remind", data={"note": "Friday."})
        assert response.status_code == 302
        shown = page_text(lead.get(response.headers["Location"]))
        assert "Reminder to 1 editor recorded: the mail worker sends it." in shown
        assert inbox.messages == []
        assert unsent() == 1
        app.test_cli_runner().invoke(args=["mail", "work", "--once"])
    assert [m["To"] for m in inbox.messages] == ["reminded@example.org"]
    assert unsent() == 0
