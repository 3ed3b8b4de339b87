"""Idempotent loader of seeds/: TOML records upserted by natural key, in one transaction.

A record names what it refers to by natural key (a city by slug, a plan as "city/plan", an
action as "city/plan/action"), and its source either as a URL or as a key of the file's
[sources] table. Any problem stops the load with the file, the record and the reason.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, MultipleResultsFound, StatementError

from tracker.domain.errors import Unprocessable
from tracker.extensions import db
from tracker.models import (
    Action,
    City,
    Indicator,
    Participation,
    Plan,
    Programme,
    Sector,
    Theme,
)
from tracker.schemas.base import build
from tracker.schemas.reports import ProgressFields, ProgressReport
from tracker.seed_specs import PATH_SHAPES, SPECS, Ref, Spec, Value
from tracker.services import ledger, published
from tracker.services.report_rules import check_report

FACTS_DIR = "icc-2023-25"
DEMO_DIR = "demo"


class SeedError(Exception):
    """A seed file that cannot be loaded; nothing of the load is kept."""

    def __init__(self, path: Path | str, where: str, reason: str) -> None:
        super().__init__(f"{path}: {where}: {reason}")
        self.path = str(path)
        self.where = where
        self.reason = reason


@dataclass
class SeedReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    def lines(self) -> list[str]:
        tables = [
            *SPECS,
            *sorted((self.created | self.updated | self.unchanged).keys() - SPECS.keys()),
        ]
        return [
            f"{table}: {self.created[table]} created, {self.updated[table]} updated, "
            f"{self.unchanged[table]} unchanged"
            for table in tables
            if self.created[table] or self.updated[table] or self.unchanged[table]
        ]


@dataclass
class Record:
    path: Path
    table: str
    index: int
    data: dict[str, Any]
    sources: dict[str, str]

    @property
    def where(self) -> str:
        label = next(
            (f"{k}={self.data[k]!r}" for k in ("slug", "name", "city") if k in self.data), ""
        )
        return f"[[{self.table}]] #{self.index}" + (f" ({label})" if label else "")


def read_records(paths: Iterable[Path]) -> list[Record]:
    """Parse the files and group their records; structure is checked, values are not yet."""
    records: list[Record] = []
    for path in paths:
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SeedError(path, "invalid TOML", str(exc)) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise SeedError(path, "unreadable", str(exc)) from exc
        sources = document.pop("sources", {})
        if not isinstance(sources, dict) or not all(isinstance(v, str) for v in sources.values()):
            raise SeedError(path, "[sources]", "must map keys to URLs")
        for table, rows in document.items():
            if table not in SPECS:
                raise SeedError(
                    path, f"[[{table}]]", f"unknown table; known ones are {', '.join(SPECS)}"
                )
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise SeedError(path, f"[[{table}]]", "must be an array of tables ([[...]])")
            records.extend(Record(path, table, i, row, sources) for i, row in enumerate(rows, 1))
    return records


INVALID = object()


def _as_str(raw: Any, _sources: dict[str, str]) -> Any:
    return raw.strip() if isinstance(raw, str) and raw.strip() else INVALID


def _as_bool(raw: Any, _sources: dict[str, str]) -> Any:
    return raw if isinstance(raw, bool) else INVALID


def _as_int(raw: Any, _sources: dict[str, str]) -> Any:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else INVALID


def _as_float(raw: Any, _sources: dict[str, str]) -> Any:
    is_number = isinstance(raw, int | float) and not isinstance(raw, bool) and raw == raw
    return float(raw) if is_number else INVALID


def _as_date(raw: Any, _sources: dict[str, str]) -> Any:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            return INVALID
    return INVALID


def _as_url(raw: Any, sources: dict[str, str]) -> Any:
    value = sources.get(raw, raw) if isinstance(raw, str) else raw
    is_url = isinstance(value, str) and value.startswith(("https://", "http://"))
    return value if is_url else INVALID


# A plain field's kind: how a raw TOML value becomes a column value, and what it must be.
CONVERTERS: dict[str, Callable[[Any, dict[str, str]], Any]] = {
    "str": _as_str,
    "bool": _as_bool,
    "int": _as_int,
    "float": _as_float,
    "date": _as_date,
    "url": _as_url,
}
EXPECTED = {
    "str": "a non-empty string",
    "bool": "true or false",
    "int": "a whole number",
    "float": "a number",
    "date": "a date (YYYY-MM-DD)",
    "url": "an http(s) address or a key of [sources]",
}


class Loader:
    def __init__(self, *, is_demo: bool, require_source: bool) -> None:
        self.is_demo = is_demo
        self.require_source = require_source
        self.report = SeedReport()
        self._ids: dict[tuple[str, str], int] = {}

    def load(self, records: list[Record]) -> SeedReport:
        order = list(SPECS)
        reported: set[int] = set()
        for record in sorted(records, key=lambda r: order.index(r.table)):
            values = self.upsert(record)
            if record.table == "progress_updates":
                reported.add(values["action_id"])
        # An action's current state is its latest effective update, by the same rule as every
        # other path that writes progress.
        ledger.refresh_states(reported)
        published.refresh_actions(reported)
        return self.report

    # Values -------------------------------------------------------------------------------

    def convert(self, record: Record, name: str, spec: Value, raw: Any) -> Any:
        converted = CONVERTERS[spec.kind](raw, record.sources)
        if converted is INVALID:
            raise SeedError(
                record.path, record.where, f"{name} must be {EXPECTED[spec.kind]}, not {raw!r}"
            )
        return converted

    def resolve(self, record: Record, name: str, ref: Ref, raw: Any, values: dict[str, Any]) -> int:
        shape = PATH_SHAPES.get(ref.target)
        if not isinstance(raw, str) or not raw or (shape and raw.count("/") != shape.count("/")):
            expected = f"look like {shape!r}" if shape else f"name a {ref.target}"
            raise SeedError(record.path, record.where, f"{name} must {expected}, not {raw!r}")
        cache_key = (ref.target, f"{values.get('programme_id')}:{raw}")
        if cache_key in self._ids:
            return self._ids[cache_key]
        found = db.session.scalar(self._lookup(ref.target, raw, values))
        if found is None:
            raise SeedError(record.path, record.where, f"{name} {raw!r}: no such {ref.target}")
        self._ids[cache_key] = found
        return found

    @staticmethod
    def _lookup(target: str, raw: str, values: dict[str, Any]) -> sa.Select[Any]:
        if target in {"programme", "city", "sector", "theme"}:
            model: Any = {"programme": Programme, "city": City, "sector": Sector, "theme": Theme}[
                target
            ]
            return sa.select(model.id).where(model.slug == raw)
        if target == "participation":  # a city's participation in the record's programme
            return (
                sa.select(Participation.id)
                .join(City)
                .where(City.slug == raw, Participation.programme_id == values.get("programme_id"))
            )
        parts = raw.split("/")
        city, plan = parts[0], parts[1]
        plan_id = sa.select(Plan.id).join(City).where(City.slug == city, Plan.slug == plan)
        if target == "plan":
            return plan_id
        action_id = sa.select(Action.id).where(
            Action.plan_id == plan_id.scalar_subquery(), Action.slug == parts[2]
        )
        if target == "action":
            return action_id
        return sa.select(Indicator.id).where(
            Indicator.action_id == action_id.scalar_subquery(), Indicator.slug == parts[3]
        )

    # Records ------------------------------------------------------------------------------

    def upsert(self, record: Record) -> dict[str, Any]:
        spec = SPECS[record.table]
        self.check_fields(record, spec)
        values = self.values_of(record, spec)
        if record.table == "progress_updates":
            self.check_report(record, values)
        try:
            self.write(record, spec, values)
        except (IntegrityError, StatementError) as exc:
            reason = str(exc.orig if getattr(exc, "orig", None) else exc).splitlines()[0]
            raise SeedError(
                record.path, record.where, f"the database refused it: {reason}"
            ) from exc
        return values

    def check_report(self, record: Record, values: dict[str, Any]) -> None:
        """A seeded report keeps the same rules as one logged on the web or through the API."""
        try:
            check_report(
                build(
                    ProgressReport,
                    **{k: v for k, v in values.items() if k in ProgressFields.model_fields},
                )
            )
        except Unprocessable as exc:
            reasons = "; ".join(f"{field}: {reason}" for field, reason in exc.errors)
            raise SeedError(record.path, record.where, reasons) from exc

    def check_fields(self, record: Record, spec: Spec) -> None:
        unknown = sorted(set(record.data) - set(spec.fields))
        if unknown:
            raise SeedError(
                record.path,
                record.where,
                f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(spec.fields)}",
            )
        for name, fspec in spec.fields.items():
            if fspec.required and name not in record.data:
                raise SeedError(record.path, record.where, f"{name} is required")
        if self.require_source and "source" not in record.data:
            raise SeedError(record.path, record.where, "source is required for a fact")

    def values_of(self, record: Record, spec: Spec) -> dict[str, Any]:
        values: dict[str, Any] = {}
        # Declared order matters: a mentorship's programme is resolved before its two ends.
        for name, fspec in spec.fields.items():
            if name not in record.data:
                continue
            raw = record.data[name]
            if isinstance(fspec, Ref):
                values[fspec.column] = self.resolve(record, name, fspec, raw, values)
            else:
                values[fspec.column or name] = self.convert(record, name, fspec, raw)
        if spec.defaults:
            for column, default in spec.defaults(values).items():
                values.setdefault(column, default)
        if hasattr(spec.model, "is_demo"):
            values["is_demo"] = self.is_demo
        return values

    def existing(self, record: Record, spec: Spec, values: dict[str, Any]) -> Any:
        model = spec.model
        try:
            return db.session.scalars(
                sa.select(model).where(
                    *(getattr(model, c) == values.get(c) for c in spec.key),
                    *((spec.only(),) if spec.only else ()),
                )
            ).one_or_none()
        except MultipleResultsFound as exc:
            raise SeedError(
                record.path, record.where, "its key matches several stored records"
            ) from exc

    def write(self, record: Record, spec: Spec, values: dict[str, Any]) -> None:
        existing = self.existing(record, spec, values)
        if existing is None:
            if spec.insert is not None:
                spec.insert([values])
            else:
                db.session.add(spec.model(**values))
            db.session.flush()
            self.report.created[record.table] += 1
            return
        changed = {c: v for c, v in values.items() if getattr(existing, c) != v}
        if not changed:
            self.report.unchanged[record.table] += 1
            return
        for column, value in changed.items():
            setattr(existing, column, value)
        db.session.flush()
        self.report.updated[record.table] += 1


def fact_files(seeds_dir: Path) -> list[Path]:
    folder = seeds_dir / FACTS_DIR
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise SeedError(folder, "folder", "holds no .toml seed files")
    return files


def load_facts(seeds_dir: Path) -> SeedReport:
    """Load the sourced ICC 2023-25 facts. The caller commits, or rolls back on SeedError."""
    return Loader(is_demo=False, require_source=True).load(read_records(fact_files(seeds_dir)))


def load_records(records: list[Record], *, is_demo: bool) -> SeedReport:
    return Loader(is_demo=is_demo, require_source=not is_demo).load(records)
