"""Backups and restores of the whole database, checked before anything is replaced.

A backup is one tar file: `manifest.json` (format, database kind, migration revision, rows per
table, when) and the database itself, `database.sqlite` (SQLite's online backup API, a consistent
copy while the app writes) or `database.dump` (pg_dump's custom format, taken in the same
exported snapshot the rows were counted in). A restore reads the manifest, checks the copy's
integrity, its migration revision against this code's head and its row counts against the
manifest, in a scratch copy; only then does it replace the database, in one step (SQLite's
backup API; pg_restore in a single transaction), so a refused or failed restore leaves the
database as it was.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory

FORMAT = "icc-tracker-backup/1"
MANIFEST = "manifest.json"
MEMBERS = {"sqlite": "database.sqlite", "postgresql": "database.dump"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the database is left as it was."""


@dataclass
class Manifest:
    dialect: str
    revision: str
    rows: dict[str, int]
    created_at: str
    format: str = FORMAT

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            raw = json.loads(data)
            manifest = cls(
                dialect=raw["dialect"],
                revision=raw["revision"],
                rows={str(k): int(v) for k, v in raw["rows"].items()},
                created_at=raw["created_at"],
                format=raw["format"],
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"The backup's manifest is unreadable ({exc}).") from exc
        if manifest.format != FORMAT or manifest.dialect not in MEMBERS:
            raise BackupError(f"Not a backup this app can restore ({manifest.format}).")
        return manifest


def head_revision(migrations_dir: Path) -> str:
    head = ScriptDirectory(str(migrations_dir)).get_current_head()
    assert head is not None
    return head


def table_names(metadata: sa.MetaData) -> list[str]:
    return [table.name for table in metadata.sorted_tables]


def count_rows(connection: Any, tables: list[str]) -> dict[str, int]:
    """Rows per table, over a DB-API or SQLAlchemy connection; names come from the metadata."""
    counts = {}
    for table in tables:
        query = f'SELECT count(*) FROM "{table}"'  # noqa: S608  (names from our own metadata)
        if isinstance(connection, sqlite3.Connection):
            counts[table] = connection.execute(query).fetchone()[0]
        else:
            counts[table] = connection.exec_driver_sql(query).scalar()
    return counts


def _revision_of(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _write_archive(
    path: Path, manifest: Manifest, member: str, database: Path, *, force: bool = False
) -> None:
    """Write the archive beside `path`, readable by its owner only (it holds password and token
    hashes and e-mail addresses), then move it into place: never a half-written file, and never
    over an existing one unless `force`."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file, tarfile.open(fileobj=file, mode="w") as archive:
            info = tarfile.TarInfo(MANIFEST)
            data = manifest.to_json()
            info.size = len(data)
            info.mtime = int(datetime.now(UTC).timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(database, arcname=member)
        if force:
            os.replace(partial, path)
        else:
            try:
                os.link(partial, path)  # fails, atomically, where a file already is
            except FileExistsError:
                raise _exists(path) from None
    finally:
        partial.unlink(missing_ok=True)


def _exists(path: Path) -> BackupError:
    return BackupError(f"{path} exists; nothing was written (--force replaces it).")


def _refuse_unsafe_members(path: Path, archive: tarfile.TarFile) -> None:
    """Every member a plain file under a relative name, or the archive is refused whole."""
    for info in archive.getmembers():
        name = PurePosixPath(info.name)
        if name.is_absolute() or ".." in name.parts:
            raise BackupError(f"{path} names a file outside its folder ({info.name}): refused.")
        if not info.isfile():
            raise BackupError(f"{path} holds a link or a special file ({info.name}): refused.")


@contextmanager
def _unpacked(path: Path) -> Iterator[tuple[Manifest, Path]]:
    """The manifest and the database file of a backup, in a temporary folder."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    with tempfile.TemporaryDirectory(prefix="tracker-restore-") as folder:
        try:
            with tarfile.open(path, "r:") as archive:
                _refuse_unsafe_members(path, archive)
                names = archive.getnames()
                if MANIFEST not in names:
                    raise BackupError(f"{path} holds no manifest: not a backup of this app.")
                stored = archive.extractfile(MANIFEST)
                if stored is None:
                    raise BackupError(f"{path}: its manifest is not a file.")
                manifest = Manifest.from_json(stored.read())
                member = MEMBERS[manifest.dialect]
                if member not in names:
                    raise BackupError(f"{path} holds no {member}.")
                archive.extract(member, folder, filter="data")
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise BackupError(f"{path} is damaged or truncated ({exc}).") from exc
        yield manifest, Path(folder) / member


def _check_dialect(manifest: Manifest, dialect: str) -> None:
    if manifest.dialect != dialect:
        raise BackupError(
            f"The backup is of a {manifest.dialect} database; this app uses {dialect}."
        )


def _check(manifest: Manifest, *, dialect: str, head: str, revision: str | None) -> None:
    _check_dialect(manifest, dialect)
    if revision != manifest.revision:
        raise BackupError(
            f"The backup's schema is at revision {revision}, its manifest says "
            f"{manifest.revision}: the file is damaged."
        )
    if manifest.revision != head:
        raise BackupError(
            f"The backup's schema is at revision {manifest.revision}, this app's at {head}. "
            "Restore it with the version of the app that made it, then run "
            "`flask --app tracker db upgrade`."
        )


def _check_counts(manifest: Manifest, counts: dict[str, int]) -> None:
    if counts != manifest.rows:
        differing = sorted(
            t for t in counts.keys() | manifest.rows.keys() if counts.get(t) != manifest.rows.get(t)
        )
        raise BackupError(
            "The backup's row counts differ from its manifest in "
            f"{', '.join(differing)}: the file is damaged."
        )


# SQLite -----------------------------------------------------------------------------------


def _sqlite_path(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    return Path(url.database)


def backup_sqlite(url: sa.URL, path: Path, tables: list[str], *, force: bool = False) -> Manifest:
    source = _sqlite_path(url)
    if not source.is_file():
        raise BackupError(f"There is no database at {source}.")
    with tempfile.TemporaryDirectory(prefix="tracker-backup-") as folder:
        copy = Path(folder) / MEMBERS["sqlite"]
        src = sqlite3.connect(source, timeout=30)
        dst = sqlite3.connect(copy)
        try:
            src.backup(dst)  # online: a consistent copy while other processes write
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            revision = _revision_of(dst)
            if revision is None:
                raise BackupError("The database has no schema yet: run `flask db upgrade`.")
            manifest = Manifest("sqlite", revision, count_rows(dst, tables), _now())
        finally:
            dst.close()
            src.close()
        _write_archive(path, manifest, MEMBERS["sqlite"], copy, force=force)
    return manifest


def restore_sqlite(url: sa.URL, path: Path, tables: list[str], head: str) -> Manifest:
    target = _sqlite_path(url)
    with _unpacked(path) as (manifest, copy):
        connection = sqlite3.connect(copy)
        try:
            try:
                result = connection.execute("PRAGMA integrity_check").fetchall()
            except sqlite3.DatabaseError as exc:
                raise BackupError(f"{path} holds a damaged database ({exc}).") from exc
            if result != [("ok",)]:
                raise BackupError(f"{path} holds a damaged database ({result[0][0]}).")
            _check(manifest, dialect="sqlite", head=head, revision=_revision_of(connection))
            _check_counts(manifest, count_rows(connection, tables))
            target.parent.mkdir(parents=True, exist_ok=True)
            live = sqlite3.connect(target, timeout=30)
            try:
                connection.backup(live)  # replaces the whole database in one step
            finally:
                live.close()
        finally:
            connection.close()
    return manifest


# PostgreSQL ------------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed; PostgreSQL backups need it "
            "(Debian: apt-get install postgresql-client)."
        )
    return found


def _libpq_url(url: sa.URL, database: str | None = None) -> str:
    plain = url.set(drivername="postgresql")
    if database is not None:
        plain = plain.set(database=database)
    return plain.render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed: {result.stderr.strip()[:2000]}")


def backup_postgresql(
    engine: sa.Engine, path: Path, tables: list[str], *, force: bool = False
) -> Manifest:
    pg_dump = _tool("pg_dump")
    with tempfile.TemporaryDirectory(prefix="tracker-backup-") as folder:
        dump = Path(folder) / MEMBERS["postgresql"]
        # Count the rows and dump in one snapshot, so the manifest matches the dump.
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
            revision = connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version"
            ).scalar_one()
            rows = count_rows(connection, tables)
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "--no-owner",
                    f"--file={dump}",
                    f"--dbname={_libpq_url(engine.url)}",
                ]
            )
            connection.rollback()  # read only: the snapshot ends with the transaction
        manifest = Manifest("postgresql", revision, rows, _now())
        _write_archive(path, manifest, MEMBERS["postgresql"], dump, force=force)
    return manifest


def restore_postgresql(engine: sa.Engine, path: Path, tables: list[str], head: str) -> Manifest:
    pg_restore = _tool("pg_restore")
    with _unpacked(path) as (manifest, dump):
        _check_dialect(manifest, "postgresql")
        scratch = f"tracker_restore_check_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(engine.url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{scratch}"')
            try:
                _run(
                    [
                        pg_restore,
                        "--exit-on-error",
                        "--no-owner",
                        f"--dbname={_libpq_url(engine.url, scratch)}",
                        str(dump),
                    ]
                )
                check = sa.create_engine(engine.url.set(database=scratch))
                try:
                    with check.connect() as connection:
                        revision = connection.exec_driver_sql(
                            "SELECT version_num FROM alembic_version"
                        ).scalar()
                        _check(manifest, dialect="postgresql", head=head, revision=revision)
                        _check_counts(manifest, count_rows(connection, tables))
                finally:
                    check.dispose()
            finally:
                with admin.connect() as connection:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        finally:
            admin.dispose()
        # Checked: now replace, all or nothing.
        _run(
            [
                pg_restore,
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                f"--dbname={_libpq_url(engine.url)}",
                str(dump),
            ]
        )
    return manifest


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def backup(
    engine: sa.Engine, path: Path, metadata: sa.MetaData, *, force: bool = False
) -> Manifest:
    tables = table_names(metadata)
    if path.exists() and not force:  # said before the work; checked again when written
        raise _exists(path)
    if engine.dialect.name == "sqlite":
        return backup_sqlite(engine.url, path, tables, force=force)
    if engine.dialect.name == "postgresql":
        return backup_postgresql(engine, path, tables, force=force)
    raise BackupError(f"Backups of {engine.dialect.name} databases are not supported.")


def restore(engine: sa.Engine, path: Path, metadata: sa.MetaData, head: str) -> Manifest:
    tables = table_names(metadata)
    engine.dispose()  # no pooled connection of ours holds the database while it is replaced
    if engine.dialect.name == "sqlite":
        return restore_sqlite(engine.url, path, tables, head)
    if engine.dialect.name == "postgresql":
        return restore_postgresql(engine, path, tables, head)
    raise BackupError(f"Restores of {engine.dialect.name} databases are not supported.")
