"""Exports of cities, mentorships, actions, partners, milestones and the progress history, as
CSV (streamed) or XLSX (written in write-only mode), in the columns imports read back."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.domain.values import jsonable
from tracker.extensions import db
from tracker.models import (
    Action,
    City,
    Milestone,
    Plan,
)
from tracker.queries import keys, listings
from tracker.queries.milestones import with_owner_city
from tracker.schemas.rows import ActionRow, PartnerRow, ProgressRow, Row
from tracker.tables import neutralise

STREAM_CHUNK = 500


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date | datetime):
        return jsonable(value)
    return neutralise(value)


# Exports ---


@dataclass(frozen=True)
class Column:
    """A column of an export: its name, how a record gives its cell, and the cell's type. A
    column the import reads back takes its type from the import's row model, stated there
    once (`Export.reads_back`)."""

    name: str
    get: Callable[[Any], Any]
    type: Any = None


@dataclass(frozen=True)
class Export:
    fields: tuple[Column, ...]
    query: Callable[[dict[str, str]], sa.Select[Any]]
    filters: tuple[str, ...]
    reads_back: type[Row] | None = None  # the import's row model, if the file can be imported

    def __post_init__(self) -> None:
        read = self.reads_back.model_fields if self.reads_back else {}
        missing = set(read) - set(self.columns)
        if missing:
            raise ValueError(f"the import reads columns the export does not write: {missing}")
        typed = tuple(
            replace(c, type=read[c.name].annotation) if c.name in read else c for c in self.fields
        )
        untyped = [c.name for c in typed if c.type is None]
        if untyped:
            raise ValueError(f"columns without a type: {untyped}")
        object.__setattr__(self, "fields", typed)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.fields)

    def row(self, record: Any) -> list[Any]:
        return [c.get(record) for c in self.fields]


def _milestones(filters: dict[str, str]) -> sa.Select[Any]:
    select, _owner_id = with_owner_city(sa.select(Milestone))
    select = select.options(
        joinedload(Milestone.programme),
        joinedload(Milestone.plan).joinedload(Plan.city),
        joinedload(Milestone.action).joinedload(Action.plan).joinedload(Plan.city),
    ).order_by(Milestone.due_on, Milestone.id)
    return listings.city_scope(select, filters, City)


def _owner(m: Milestone) -> str:
    if m.programme is not None:
        return m.programme.slug
    if m.plan is not None:
        return m.plan.city.slug
    assert m.action is not None, "a milestone belongs to a programme, a plan or an action"
    return m.action.plan.city.slug


EXPORTS: dict[str, Export] = {
    "cities": Export(
        (
            Column("slug", lambda p: p.city.slug, str),
            Column("name", lambda p: p.city.name, str),
            Column("local_name", lambda p: p.city.local_name, str),
            Column("kind", lambda p: p.city.kind, str),
            Column("country", lambda p: p.city.country, str),
            Column("latitude", lambda p: p.city.latitude, float),
            Column("longitude", lambda p: p.city.longitude, float),
            Column("programme", lambda p: p.programme.slug, str),
            Column("role", lambda p: p.role, str),
            Column("joined_on", lambda p: p.joined_on, date),
            Column("communications_ambassador", lambda p: p.is_communications_ambassador, bool),
            Column("source_url", lambda p: p.source_url, str),
        ),
        listings.participations,
        ("city", "country", "role"),
    ),
    "mentorships": Export(
        (
            Column("mentor", lambda m: m.mentor.city.slug, str),
            Column("mentee", lambda m: m.mentee.city.slug, str),
            Column("since_on", lambda m: m.since_on, date),
            Column("ended_on", lambda m: m.ended_on, date),
            Column("sector", lambda m: m.sector.slug if m.sector else None, str),
            Column("focus", lambda m: m.focus, str),
            Column("demo", lambda m: m.is_demo, bool),
        ),
        listings.mentorships,
        ("city",),
    ),
    "actions": Export(
        (
            Column("external_id", lambda a: keys.action_ref(a)),
            Column("plan", lambda a: keys.plan_ref(a.plan)),
            Column("title", lambda a: a.title),
            Column("sector", lambda a: a.sector.slug if a.sector else None),
            Column("theme", lambda a: a.theme.slug if a.theme else None),
            Column("lead_organisation", lambda a: a.lead_organisation),
            Column("starts_on", lambda a: a.starts_on),
            Column("due_on", lambda a: a.due_on),
            Column("status", lambda a: a.status, str),
            Column("percent_complete", lambda a: a.percent_complete, int),
            Column("last_reported_on", lambda a: a.last_reported_on, date),
            Column("demo", lambda a: a.is_demo, bool),
        ),
        listings.actions,
        ("city", "country", "sector", "status"),
        reads_back=ActionRow,
    ),
    "partners": Export(
        (
            Column("external_id", lambda p: keys.partner_ref(p)),
            Column("plan", lambda p: keys.plan_ref(p.plan)),
            Column("name", lambda p: p.name),
            Column("kind", lambda p: p.kind),
            Column("commitment", lambda p: p.commitment),
            Column("signed_on", lambda p: p.signed_on),
            Column("demo", lambda p: p.is_demo, bool),
        ),
        listings.partners,
        ("city", "country"),
        reads_back=PartnerRow,
    ),
    "milestones": Export(
        (
            Column("slug", lambda m: m.slug, str),
            Column("owner", lambda m: _owner(m), str),
            Column("title", lambda m: m.title, str),
            Column("planned_on", lambda m: m.planned_on, date),
            Column("due_on", lambda m: m.due_on, date),
            Column("ends_on", lambda m: m.ends_on, date),
            Column("completed_on", lambda m: m.completed_on, date),
            Column("lgd_step", lambda m: m.lgd_step, str),
            Column("demo", lambda m: m.is_demo, bool),
            Column("source_url", lambda m: m.source_url, str),
        ),
        _milestones,
        ("city", "country"),
    ),
    "progress": Export(
        (
            Column("external_id", lambda u: keys.update_ref(u)),
            Column("action", lambda u: keys.action_ref(u.action)),
            Column("reported_on", lambda u: u.reported_on),
            Column("status", lambda u: u.status),
            Column("percent_complete", lambda u: u.percent_complete),
            Column("note", lambda u: u.note),
            Column("evidence_url", lambda u: u.evidence_url),
            Column("indicator", lambda u: u.indicator.slug if u.indicator else None),
            Column("indicator_value", lambda u: u.indicator_value),
            Column("corrects", lambda u: keys.update_ref(u.corrects) if u.corrects else None),
            Column(
                "corrected_by",
                lambda u: keys.update_ref(u.corrected_by) if u.corrected_by else None,
                str,
            ),
            Column("author", lambda u: u.author.email if u.author else None, str),
            Column("created_at", lambda u: u.created_at, datetime),
            Column("demo", lambda u: u.is_demo, bool),
        ),
        listings.progress_updates,
        ("city", "country", "sector", "status"),
        reads_back=ProgressRow,
    ),
}


def export_rows(kind: str, filters: dict[str, str]) -> Iterator[list[Any]]:
    """The header, then every row, fetched in chunks so memory stays flat however many rows."""
    spec = EXPORTS[kind]
    yield list(spec.columns)
    records = db.session.scalars(spec.query(filters).execution_options(yield_per=STREAM_CHUNK))
    for record in records:
        yield [cell(v) for v in spec.row(record)]


def csv_chunks(rows: Iterator[list[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, row in enumerate(rows, 1):
        writer.writerow(row)
        if index % STREAM_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(rows: Iterator[list[Any]], title: str) -> IO[bytes]:
    """An XLSX workbook in write-only mode (rows go to disk as they come), as a temporary file."""
    import tempfile

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for row in rows:
        cells = []
        for value in row:
            c = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                c.data_type = "s"  # text stays text, whatever it starts with
            cells.append(c)
        sheet.append(cells)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(spool)
    spool.seek(0)
    return spool


# Imports --------------------------------------------------------------------------------------
