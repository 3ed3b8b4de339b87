"""Exports of cities, mentorships, actions, partners, milestones and the progress history, as
CSV (streamed) or XLSX (written in write-only mode), in the columns imports read back."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from tracker.domain.values import jsonable
from tracker.extensions import db
from tracker.models import (
    Action,
    City,
    Milestone,
    Plan,
)
from tracker.queries import keys, listings
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
class Export:
    columns: tuple[str, ...]
    query: Callable[[dict[str, str]], sa.Select[Any]]
    row: Callable[[Any], list[Any]]
    filters: tuple[str, ...]


def _milestones(filters: dict[str, str]) -> sa.Select[Any]:
    action_plan = aliased(Plan)
    city = aliased(City)
    select = (
        sa.select(Milestone)
        .outerjoin(Plan, Milestone.plan_id == Plan.id)
        .outerjoin(Action, Milestone.action_id == Action.id)
        .outerjoin(action_plan, Action.plan_id == action_plan.id)
        .outerjoin(city, city.id == sa.func.coalesce(Plan.city_id, action_plan.city_id))
        .options(
            joinedload(Milestone.programme),
            joinedload(Milestone.plan).joinedload(Plan.city),
            joinedload(Milestone.action).joinedload(Action.plan).joinedload(Plan.city),
        )
        .order_by(Milestone.due_on, Milestone.id)
    )
    return listings.city_scope(select, filters, city)


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
            "slug",
            "name",
            "local_name",
            "kind",
            "country",
            "latitude",
            "longitude",
            "programme",
            "role",
            "joined_on",
            "communications_ambassador",
            "source_url",
        ),
        listings.participations,
        lambda p: [
            p.city.slug,
            p.city.name,
            p.city.local_name,
            p.city.kind,
            p.city.country,
            p.city.latitude,
            p.city.longitude,
            p.programme.slug,
            p.role,
            p.joined_on,
            p.is_communications_ambassador,
            p.source_url,
        ],
        ("city", "country", "role"),
    ),
    "mentorships": Export(
        ("mentor", "mentee", "since_on", "ended_on", "sector", "focus", "demo"),
        listings.mentorships,
        lambda m: [
            m.mentor.city.slug,
            m.mentee.city.slug,
            m.since_on,
            m.ended_on,
            m.sector.slug if m.sector else None,
            m.focus,
            m.is_demo,
        ],
        ("city",),
    ),
    "actions": Export(
        (
            "external_id",
            "plan",
            "title",
            "sector",
            "theme",
            "lead_organisation",
            "starts_on",
            "due_on",
            "status",
            "percent_complete",
            "last_reported_on",
            "demo",
        ),
        listings.actions,
        lambda a: [
            keys.action_ref(a),
            keys.plan_ref(a.plan),
            a.title,
            a.sector.slug if a.sector else None,
            a.theme.slug if a.theme else None,
            a.lead_organisation,
            a.starts_on,
            a.due_on,
            a.status,
            a.percent_complete,
            a.last_reported_on,
            a.is_demo,
        ],
        ("city", "country", "sector", "status"),
    ),
    "partners": Export(
        ("external_id", "plan", "name", "kind", "commitment", "signed_on", "demo"),
        listings.partners,
        lambda p: [
            keys.partner_ref(p),
            keys.plan_ref(p.plan),
            p.name,
            p.kind,
            p.commitment,
            p.signed_on,
            p.is_demo,
        ],
        ("city", "country"),
    ),
    "milestones": Export(
        (
            "slug",
            "owner",
            "title",
            "planned_on",
            "due_on",
            "ends_on",
            "completed_on",
            "lgd_step",
            "demo",
            "source_url",
        ),
        _milestones,
        lambda m: [
            m.slug,
            _owner(m),
            m.title,
            m.planned_on,
            m.due_on,
            m.ends_on,
            m.completed_on,
            m.lgd_step,
            m.is_demo,
            m.source_url,
        ],
        ("city", "country"),
    ),
    "progress": Export(
        (
            "external_id",
            "action",
            "reported_on",
            "status",
            "percent_complete",
            "note",
            "evidence_url",
            "indicator",
            "indicator_value",
            "corrects",
            "corrected_by",
            "author",
            "created_at",
            "demo",
        ),
        listings.progress_updates,
        lambda u: [
            keys.update_ref(u),
            keys.action_ref(u.action),
            u.reported_on,
            u.status,
            u.percent_complete,
            u.note,
            u.evidence_url,
            u.indicator.slug if u.indicator else None,
            u.indicator_value,
            keys.update_ref(u.corrects) if u.corrects else None,
            keys.update_ref(u.corrected_by) if u.corrected_by else None,
            u.author.email if u.author else None,
            u.created_at,
            u.is_demo,
        ],
        ("city", "country", "sector", "status"),
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
