"""Exports of cities, mentorships, actions, partners, milestones and the progress history, as
CSV (streamed) or XLSX (written in write-only mode), in the columns imports read back."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import IO, Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.domain.values import jsonable
from tracker.extensions import db
from tracker.models import (
    Action,
    ActionCost,
    City,
    Milestone,
    Plan,
)
from tracker.models.frameworks import FIELDS as FRAMEWORK_FIELDS
from tracker.queries import keys, listings
from tracker.queries.milestones import with_owner_city
from tracker.schemas.rows import ActionRow, CostRow, PartnerRow, ProgressRow, Row
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
    """A column of an export: its name, how a record gives its cell (a function, or a dotted
    attribute path; by default the attribute of the column's name), and the cell's type. A
    column the import reads back takes its type from the import's row model, stated there
    once (`Export.reads_back`)."""

    name: str
    get: Callable[[Any], Any] | str | None = None
    type: Any = None

    def __post_init__(self) -> None:
        if not callable(self.get):
            object.__setattr__(self, "get", _path(self.get or self.name))

    def of(self, record: Any) -> Any:
        """The cell of this column for a record."""
        return cast(Callable[[Any], Any], self.get)(record)


def plain(*names: str, type: Any = None) -> tuple[Column, ...]:
    """Columns that are each the attribute of their name, of one type (by default the type
    the import's row model gives)."""
    return tuple(Column(name, type=type) for name in names)


def _path(path: str) -> Callable[[Any], Any]:
    """A getter of a dotted attribute path ("sector.slug"), None where a step is None."""
    steps = path.split(".")

    def get(record: Any) -> Any:
        for step in steps:
            if record is None:
                return None
            record = getattr(record, step)
        return record

    return get


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
        return [c.of(record) for c in self.fields]


def _milestones(filters: dict[str, str]) -> sa.Select[Any]:
    select, _owner_id = with_owner_city(sa.select(Milestone))
    select = select.options(
        joinedload(Milestone.programme),
        joinedload(Milestone.plan).joinedload(Plan.city),
        joinedload(Milestone.action).joinedload(Action.plan).joinedload(Plan.city),
    ).order_by(Milestone.due_on, Milestone.id)
    return listings.city_scope(select, filters, City)


def _costs(filters: dict[str, str]) -> sa.Select[Any]:
    select = (
        sa.select(ActionCost)
        .join(Action, ActionCost.action_id == Action.id)
        .join(Plan, Action.plan_id == Plan.id)
        .join(City, Plan.city_id == City.id)
        .options(joinedload(ActionCost.action).joinedload(Action.plan).joinedload(Plan.city))
        .order_by(ActionCost.action_id, ActionCost.year, ActionCost.funding_source)
    )
    return listings.city_scope(select, filters)


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
            Column("slug", "city.slug", str),
            Column("name", "city.name", str),
            Column("local_name", "city.local_name", str),
            Column("kind", "city.kind", str),
            Column("country", "city.country", str),
            Column("latitude", "city.latitude", float),
            Column("longitude", "city.longitude", float),
            Column("programme", "programme.slug", str),
            Column("role", type=str),
            Column("joined_on", type=date),
            Column("communications_ambassador", "is_communications_ambassador", bool),
            Column("source_url", type=str),
        ),
        listings.participations,
        ("city", "country", "role"),
    ),
    "mentorships": Export(
        (
            Column("mentor", "mentor.city.slug", str),
            Column("mentee", "mentee.city.slug", str),
            *plain("since_on", "ended_on", type=date),
            Column("sector", "sector.slug", str),
            Column("focus", type=str),
            Column("demo", "is_demo", bool),
        ),
        listings.mentorships,
        ("city",),
    ),
    "actions": Export(
        (
            Column("external_id", keys.action_ref),
            Column("plan", lambda a: keys.plan_ref(a.plan)),
            Column("title"),
            Column("sector", "sector.slug"),
            Column("theme", "theme.slug"),
            *plain("lead_organisation", "starts_on", "due_on", *FRAMEWORK_FIELDS),
            Column("status", type=str),
            Column("percent_complete", type=int),
            Column("last_reported_on", type=date),
            Column("demo", "is_demo", bool),
        ),
        listings.actions,
        ("city", "country", "sector", "status"),
        reads_back=ActionRow,
    ),
    "costs": Export(
        (
            Column("action", lambda c: keys.action_ref(c.action)),
            Column("title", "action.title", str),
            *plain("year", "funding_source", "planned_eur", "spent_eur"),
            Column("demo", "action.is_demo", bool),
        ),
        _costs,
        ("city", "country"),
        reads_back=CostRow,
    ),
    "partners": Export(
        (
            Column("external_id", keys.partner_ref),
            Column("plan", lambda p: keys.plan_ref(p.plan)),
            *plain("name", "kind", "commitment", "signed_on"),
            Column("demo", "is_demo", bool),
        ),
        listings.partners,
        ("city", "country"),
        reads_back=PartnerRow,
    ),
    "milestones": Export(
        (
            Column("slug", type=str),
            Column("owner", _owner, str),
            Column("title", type=str),
            *plain("planned_on", "due_on", "ends_on", "completed_on", type=date),
            Column("lgd_step", type=str),
            Column("demo", "is_demo", bool),
            Column("source_url", type=str),
        ),
        _milestones,
        ("city", "country"),
    ),
    "progress": Export(
        (
            Column("external_id", keys.update_ref),
            Column("action", lambda u: keys.action_ref(u.action)),
            *plain("reported_on", "status", "percent_complete", "note", "evidence_url"),
            Column("indicator", "indicator.slug"),
            Column("indicator_value"),
            Column("corrects", lambda u: keys.update_ref(u.corrects) if u.corrects else None),
            Column(
                "corrected_by",
                lambda u: keys.update_ref(u.corrected_by) if u.corrected_by else None,
                str,
            ),
            Column("author", "author.email", str),
            Column("created_at", type=datetime),
            Column("demo", "is_demo", bool),
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
