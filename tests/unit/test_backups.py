"""Backups and restores: a backup taken while another process writes restores into a fresh
database that serves the same pages; a damaged or mismatched file is refused and the database
stays as it was. On SQLite and on PostgreSQL (pg_dump / pg_restore)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tarfile
import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import build_app, fresh_database, make_config
from tests.factories import log_report, make_action, make_plan, make_user
from tests.helpers import login
from tracker import create_app
from tracker.extensions import db
from tracker.models import Action, AuditEvent

WRITER = """
import sys, time
import sqlalchemy as sa
url = sys.argv[1]
engine = sa.create_engine(url, connect_args={"timeout": 30} if "sqlite" in url else {})
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    with engine.begin() as c:
        c.execute(sa.text(
            "INSERT INTO audit_events (created_at, actor, verb, entity_type) "
            "VALUES (CURRENT_TIMESTAMP, 'writer', 'test.write', 'test')"
        ))
"""
PAGES = ["/", "/cities", "/cities/bamberg", "/milestones", "/cohort"]


@pytest.fixture
def source(backend, tmp_path_factory):
    """A database of its own, with the facts, an account and some progress."""
    with fresh_database(backend, tmp_path_factory) as url:
        app = build_app(url, tmp_path_factory.mktemp("source"), demo=False)
        with app.app_context():
            make_user("lead")
            action = make_action(make_plan("bamberg"))
            log_report(action, 30, note="Tender out")
            app.config["TEST_ACTION_ID"] = action.id
            db.session.remove()
        yield app
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def fresh(backend, tmp_path_factory):
    """An empty database (no schema) to restore into."""
    with fresh_database(backend, tmp_path_factory) as url:
        app = create_app(make_config(url, tmp_path_factory.mktemp("fresh")))
        yield app
        with app.app_context():
            db.engine.dispose()


def cli(app, *args: str):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
        db.session.remove()
        return result


def pages_of(app) -> dict[str, str]:
    client = app.test_client()
    with app.app_context():
        login(client, "lead-all@example.org")
    shown = {}
    for path in [*PAGES, f"/actions/{app.config.get('TEST_ACTION_ID', 1)}"]:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        # One-time values differ from one rendering to the next.
        shown[path] = re.sub(r'name="(csrf_token|submission_key)" value="[^"]*"', "", html)
    return shown


def audit_count(app) -> int:
    with app.app_context():
        count = db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()
        db.session.remove()
        return count


def test_a_backup_taken_during_writes_restores_into_a_fresh_database_serving_the_same_pages(
    source, fresh, tmp_path
):
    url = source.config["SQLALCHEMY_DATABASE_URI"]
    before = audit_count(source)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, url, "4"])
    try:
        deadline = time.monotonic() + 20
        while audit_count(source) < before + 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert audit_count(source) >= before + 20, "the writer did not get going"
        result = cli(source, "backup", str(tmp_path / "backup.tar"))
        assert result.exit_code == 0, result.output
    finally:
        assert writer.wait(timeout=60) == 0
    with tarfile.open(tmp_path / "backup.tar") as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
    assert before + 20 <= manifest["rows"]["audit_events"] < audit_count(source)

    fresh.config["TEST_ACTION_ID"] = source.config["TEST_ACTION_ID"]
    result = cli(fresh, "restore", str(tmp_path / "backup.tar"))
    assert result.exit_code == 0, result.output
    assert audit_count(fresh) == manifest["rows"]["audit_events"]
    restored, original = pages_of(fresh), pages_of(source)
    for path, html in original.items():
        assert restored[path] == html, path


def test_a_truncated_backup_is_refused_and_the_database_still_serves(source, tmp_path):
    path = tmp_path / "backup.tar"
    assert cli(source, "backup", str(path)).exit_code == 0
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    shown = pages_of(source)
    count = audit_count(source)
    result = cli(source, "restore", str(path))
    assert result.exit_code != 0
    assert "Nothing was restored" in result.output
    assert "truncated" in result.output
    assert audit_count(source) == count
    assert pages_of(source) == shown


def rewrite_manifest(path: Path, out: Path, change) -> None:
    with tarfile.open(path) as archive, tarfile.open(out, "w") as copy:
        for member in archive.getmembers():
            stored = archive.extractfile(member)
            assert stored is not None
            data = stored.read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m["rows"].update(progress_updates=999), "row counts differ"),
        (lambda m: m.update(revision="0001"), "revision"),
        (lambda m: m.update(format="something else"), "Not a backup"),
        (lambda m: m.update(dialect="oracle"), "Not a backup"),
    ],
)
def test_a_backup_that_does_not_check_out_is_refused(source, tmp_path, change, message):
    path = tmp_path / "backup.tar"
    assert cli(source, "backup", str(path)).exit_code == 0
    rewrite_manifest(path, tmp_path / "changed.tar", change)
    count = audit_count(source)
    result = cli(source, "restore", str(tmp_path / "changed.tar"))
    assert result.exit_code != 0
    assert message in result.output, result.output
    assert audit_count(source) == count


def test_what_is_not_a_backup_is_refused(source, tmp_path):
    (tmp_path / "notes.txt").write_text("not a backup")
    with tarfile.open(tmp_path / "empty.tar", "w"):
        pass
    for name, message in (
        ("missing.tar", "is not a file"),
        ("notes.txt", "damaged or truncated"),
        ("empty.tar", "no manifest"),
    ):
        result = cli(source, "restore", str(tmp_path / name))
        assert result.exit_code != 0, name
        assert message in result.output, (name, result.output)


def test_postgresql_backups_say_clearly_when_pg_dump_is_missing(source, tmp_path, monkeypatch):
    if source.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite needs no outside tool: its backup works with an empty PATH too.
        monkeypatch.setenv("PATH", str(tmp_path))
        assert cli(source, "backup", str(tmp_path / "b.tar")).exit_code == 0
        return
    monkeypatch.setenv("PATH", str(tmp_path))
    result = cli(source, "backup", str(tmp_path / "b.tar"))
    assert result.exit_code != 0
    assert "pg_dump is not installed" in result.output
    assert not (tmp_path / "b.tar").exists()


def test_a_backup_is_its_owners_alone_and_never_replaces_a_file_unasked(source, tmp_path):
    path = tmp_path / "made-by-the-backup" / "backup.tar"
    assert cli(source, "backup", str(path)).exit_code == 0
    assert path.stat().st_mode & 0o777 == 0o600  # password and token hashes, e-mail addresses
    assert path.parent.stat().st_mode & 0o777 == 0o700
    first = path.read_bytes()
    again = cli(source, "backup", str(path))
    assert again.exit_code != 0
    assert "exists" in again.output
    assert "--force" in again.output
    assert path.read_bytes() == first
    assert sorted(p.name for p in path.parent.iterdir()) == ["backup.tar"]  # no leftovers
    assert cli(source, "backup", "--force", str(path)).exit_code == 0
    assert path.stat().st_mode & 0o777 == 0o600


def unsafe_archive(good: Path, out: Path, kind: str) -> None:
    """The backup `good` with one member that a careless unpacking would write elsewhere."""
    with tarfile.open(good) as archive, tarfile.open(out, "w") as copy:
        for member in archive.getmembers():
            copy.addfile(member, archive.extractfile(member))
        if kind == "link":
            link = tarfile.TarInfo("notes")
            link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
            copy.addfile(link)
        else:
            name = {"parent": "../../escaped.txt", "absolute": "/var/escaped.txt"}[kind]
            data = b"written outside the folder"
            info = tarfile.TarInfo(name)
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))


def test_an_archive_with_a_member_outside_its_folder_or_a_link_is_refused(source, tmp_path):
    good = tmp_path / "backup.tar"
    assert cli(source, "backup", str(good)).exit_code == 0
    shown = pages_of(source)  # signing in to read them is audited: counted after
    count = audit_count(source)
    for kind in ("parent", "absolute", "link"):
        unsafe = tmp_path / f"unsafe-{kind}.tar"
        unsafe_archive(good, unsafe, kind)
        result = cli(source, "restore", str(unsafe))
        assert result.exit_code != 0, kind
        assert "Nothing was restored" in result.output
        assert "refused" in result.output, (kind, result.output)
        assert audit_count(source) == count
    assert pages_of(source) == shown


def test_after_a_restore_no_page_cached_before_it_is_served(source, tmp_path):
    """A restore turns the write counter back; the epoch it draws keeps every page cached
    before it from matching again, even when the counter climbs back to the same number."""
    path = tmp_path / "backup.tar"
    assert cli(source, "backup", str(path)).exit_code == 0
    action_id = source.config["TEST_ACTION_ID"]

    def report(percent: int) -> None:
        with source.app_context():
            log_report(db.session.get_one(Action, action_id), percent, reported_on=date(2024, 6, 1))
            db.session.remove()

    def shown() -> str:
        return pages_of(source)["/cities/bamberg"]

    report(77)  # one write after the backup...
    assert "77" in shown()  # ...and its page, now cached under the counter's next number
    assert cli(source, "restore", str(path)).exit_code == 0
    report(55)  # one write after the restore: the counter is at that number again
    page = shown()
    assert "55" in page
    assert "77" not in page
