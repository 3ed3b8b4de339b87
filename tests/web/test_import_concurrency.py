"""A 10,000-row progress import over HTTP while other people sign in and write through the API:
on SQLite the preview holds no write lock and the apply holds it only to write (on PostgreSQL
locks are per row), so every one of their requests succeeds, and every row and every write is
stored."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.conftest import build_app, fresh_database, served
from tests.factories import PASSWORD, make_user
from tracker.extensions import db
from tracker.models import Action, City, Plan, ProgressUpdate
from tracker.services import tokens

ROWS = 10_000


def progress_file(refs: list[str], start: date) -> bytes:
    days = max((date.today() - start).days, 1)
    lines = ["external_id,action,reported_on,status,percent_complete,note"]
    for i in range(ROWS):
        day = start + timedelta(days=i % days)
        lines.append(f"load-{i},{refs[i % len(refs)]},{day},on_track,{i % 100},Row {i}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def served_app(backend: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory):
    with fresh_database(backend, tmp_path_factory) as url:
        yield from _app_on(url, tmp_path)


def _app_on(url: str, tmp_path: Path):
    app = build_app(url, tmp_path, demo=True)
    with app.app_context():
        make_user("lead", email="importer@example.org")
        make_user("viewer", email="signs-in@example.org")
        writer = make_user("lead", email="api-writer@example.org")
        token = tokens.issue_token(None, writer, "load", actor_label="test")
        db.session.commit()
        rows = db.session.execute(
            sa.select(City.slug, Plan.slug, Action.slug, Action.id, Plan.started_on)
            .join(Action.plan)
            .join(Plan.city)
            .order_by(Action.id)
        ).all()
        db.session.remove()
    yield app, token, rows
    with app.app_context():
        db.engine.dispose()


def test_an_import_of_ten_thousand_rows_blocks_no_sign_in_and_no_api_write(served_app):
    app, token, actions = served_app
    refs = [f"{c}/{p}/{a}" for c, p, a, _id, _start in actions]
    start = max(s for *_rest, s in actions if s) + timedelta(days=1)
    content = progress_file(refs, start)
    api_action = actions[0][3]
    with served(app) as base:
        importer = requests.Session()
        assert importer.post(
            f"{base}/auth/login",
            data={"email": "importer@example.org", "password": PASSWORD},
            timeout=30,
        ).ok
        done = threading.Event()
        phases: list[tuple[str, float, float]] = []

        def run_import() -> None:
            try:
                began = time.monotonic()
                preview = importer.post(
                    f"{base}/import",
                    data={"kind": "progress"},
                    files={"file": ("load.csv", content, "text/csv")},
                    timeout=60,
                )
                phases.append(("preview", began, time.monotonic()))
                assert preview.status_code == 200, preview.text[-2000:]
                batch = preview.text.split('action="/import/', 1)[1].split("/apply", 1)[0]
                began = time.monotonic()
                applied = importer.post(
                    f"{base}/import/{batch}/apply", allow_redirects=False, timeout=60
                )
                phases.append(("apply", began, time.monotonic()))
                assert applied.status_code == 302, applied.text[-2000:]
            finally:
                done.set()

        thread = threading.Thread(target=run_import)
        thread.start()
        sign_ins: list[tuple[float, int]] = []
        writes: list[tuple[float, int]] = []
        n = 0
        while not done.is_set():
            person = requests.Session()
            answer = person.post(
                f"{base}/auth/login",
                data={"email": "signs-in@example.org", "password": PASSWORD},
                allow_redirects=False,
                timeout=30,
            )
            sign_ins.append((time.monotonic(), answer.status_code))
            write = requests.post(
                f"{base}/api/v1/actions/{api_action}/progress",
                json={
                    "reported_on": date.today().isoformat(),
                    "status": "on_track",
                    "percent_complete": n % 100,
                    "note": f"concurrent write {n}",
                },
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"w-{n}"},
                timeout=30,
            )
            writes.append((time.monotonic(), write.status_code))
            n += 1
        thread.join()
    assert [name for name, *_times in phases] == ["preview", "apply"]
    # Every sign-in and every write succeeded, and some ran during each phase of the import.
    assert {status for _t, status in sign_ins} == {302}
    assert {status for _t, status in writes} == {201}
    for name, began, ended in phases:
        assert any(began <= t <= ended for t, _s in sign_ins + writes), f"none during {name}"
    with app.app_context():
        notes = db.session.scalars(
            sa.select(ProgressUpdate.note).where(ProgressUpdate.external_id.like("load-%"))
        ).all()
        concurrent = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ProgressUpdate)
            .where(ProgressUpdate.note.like("concurrent write %"))
        )
        db.session.remove()
    assert len(notes) == ROWS
    assert concurrent == len(writes)
