"""Data out and in: exports of cities, mentorships, actions, partners, milestones and the
progress history (CSV or XLSX, streamed), and imports of progress, actions and partners in
the same columns, all or nothing, matched by a stable external id."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from tracker.extensions import db
from tracker.models import (
    Action,
    City,
    Indicator,
    Milestone,
    Partner,
    Plan,
    ProgressUpdate,
    Sector,
    Theme,
    User,
)
from tracker.models.plan import ACTION_STATUSES, PARTNER_KINDS
from tracker.services import listings, plans, progress
from tracker.services.audit import jsonable
from tracker.services.errors import DomainError, Invalid
from tracker.tables import neutralise, restore

XLSX_MAGIC = b"PK\x03\x04"
STREAM_CHUNK = 500


# Cells ----------------------------------------------------------------------------------------


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date | datetime):
        return jsonable(value)
    return neutralise(value)


# Exports --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    columns: tuple[str, ...]
    query: Callable[[dict[str, str]], sa.Select[Any]]
    row: Callable[[Any], list[Any]]
    filters: tuple[str, ...]


def action_ref(action: Action) -> str:
    return f"{action.plan.city.slug}/{action.plan.slug}/{action.slug}"


def plan_ref(plan: Plan) -> str:
    return f"{plan.city.slug}/{plan.slug}"


def update_ref(update: ProgressUpdate) -> str:
    return update.external_id or f"update-{update.id}"


def partner_ref(partner: Partner) -> str:
    return partner.external_id or f"partner-{partner.id}"


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
    plan = m.plan or m.action.plan
    return plan.city.slug


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
            action_ref(a),
            plan_ref(a.plan),
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
            partner_ref(p),
            plan_ref(p.plan),
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
            update_ref(u),
            action_ref(u.action),
            u.reported_on,
            u.status,
            u.percent_complete,
            u.note,
            u.evidence_url,
            u.indicator.slug if u.indicator else None,
            u.indicator_value,
            update_ref(u.corrects) if u.corrects else None,
            update_ref(u.corrected_by) if u.corrected_by else None,
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


def xlsx_file(rows: Iterator[list[Any]], title: str) -> io.BufferedIOBase:
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
    return spool  # type: ignore[return-value]


# Imports --------------------------------------------------------------------------------------


@dataclass
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.reason}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


IMPORT_KINDS = ("progress", "actions", "partners")
READ_ONLY = {
    "progress": {"author", "created_at", "demo"},
    "actions": {"status", "percent_complete", "last_reported_on", "demo"},
    "partners": {"demo"},
}
REQUIRED = {
    "progress": {"external_id", "action", "reported_on", "status", "percent_complete"},
    "actions": {"external_id", "plan", "title"},
    "partners": {"external_id", "plan", "name", "kind"},
}


@dataclass(frozen=True)
class UploadLimits:
    """What an uploaded file may be, checked before and while it is read, so that memory and
    time stay bounded whatever the file declares."""

    max_bytes: int = 2 * 1024 * 1024
    max_rows: int = 10_000
    max_columns: int = 50
    # .xlsx is a zip: its entries together, their compression ratio, and how many there are.
    max_expanded_bytes: int = 20 * 1024 * 1024
    max_ratio: int = 100
    max_entries: int = 100

    @classmethod
    def from_config(cls, config: Any) -> UploadLimits:
        return cls(
            max_bytes=config["IMPORT_MAX_BYTES"],
            max_rows=config["IMPORT_MAX_ROWS"],
            max_columns=config["IMPORT_MAX_COLUMNS"],
            max_expanded_bytes=config["IMPORT_MAX_EXPANDED_BYTES"],
        )


def check_upload(filename: str, content: bytes, limits: UploadLimits) -> str:
    """The file's type ("csv" or "xlsx"), or Invalid: too large, a path for a name, not what
    its name says, or a workbook that would expand beyond the limits."""
    if (
        not filename
        or "/" in filename
        or "\\" in filename
        or ".." in filename
        or filename.startswith(".")
    ):
        raise Invalid("Give a plain file name, not a path.", field="file")
    if len(content) > limits.max_bytes:
        raise Invalid(f"The file is larger than {limits.max_bytes // 1024} KB.", field="file")
    if not content:
        raise Invalid("The file is empty.", field="file")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xlsx":
        if not content.startswith(XLSX_MAGIC) or not zipfile.is_zipfile(io.BytesIO(content)):
            raise Invalid("This .xlsx file is not a spreadsheet.", field="file")
        check_workbook_size(content, limits)
        return "xlsx"
    if extension == "csv":
        if b"\x00" in content or content.startswith(XLSX_MAGIC):
            raise Invalid("This .csv file is not text.", field="file")
        try:
            content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise Invalid("A .csv file must be UTF-8 text.", field="file") from exc
        return "csv"
    raise Invalid("Upload a .csv or .xlsx file.", field="file")


def check_workbook_size(content: bytes, limits: UploadLimits) -> None:
    """Read the zip's directory, not its contents: refuse a workbook that would expand beyond
    the limit, compresses suspiciously well, or has too many parts. (Python's zip reader never
    expands an entry beyond the size the directory declares for it.)"""
    try:
        entries = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Invalid("This .xlsx file is damaged.", field="file") from exc
    if len(entries) > limits.max_entries:
        raise Invalid(
            f"This .xlsx file has {len(entries)} parts; at most {limits.max_entries} are accepted.",
            field="file",
        )
    expanded = sum(e.file_size for e in entries)
    if expanded > limits.max_expanded_bytes:
        raise Invalid(
            f"This .xlsx file would expand to {expanded // (1024 * 1024)} MB; at most "
            f"{limits.max_expanded_bytes // (1024 * 1024)} MB are accepted.",
            field="file",
        )
    for entry in entries:
        if entry.file_size > limits.max_ratio * max(entry.compress_size, 1) and (
            entry.file_size > 1024 * 1024
        ):
            raise Invalid(
                f"This .xlsx file compresses {entry.file_size // max(entry.compress_size, 1)} "
                f"to 1; at most {limits.max_ratio} to 1 is accepted.",
                field="file",
            )


def _xlsx_rows(content: bytes, limits: UploadLimits) -> Iterator[Sequence[Any]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        # The declared dimension is ignored: a sheet that claims A1:XFD1048576 is not padded.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(values_only=True, max_col=limits.max_columns + 1)
    except ImportRejected:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ImportRejected([RowError(1, "-", f"the workbook cannot be read: {exc}")]) from exc


def _csv_rows(content: bytes) -> Iterator[Sequence[Any]]:
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), strict=True)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = f"the CSV cannot be read: {exc}"
            if "field limit" in str(exc):
                reason = f"a field is longer than {csv.field_size_limit()} characters (the limit)"
            raise ImportRejected([RowError(reader.line_num, "-", reason)]) from exc
        yield row


def read_table(
    kind: str, content: bytes, limits: UploadLimits | None = None
) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The header and the non-empty rows, read as a stream and refused past the limits."""
    limits = limits or UploadLimits()
    with contextlib.ExitStack() as stack:
        source = _xlsx_rows(content, limits) if kind == "xlsx" else _csv_rows(content)
        stack.callback(source.close)
        header_row = next(source, None)
        if header_row is None:
            raise ImportRejected([RowError(1, "-", "the file has no header row")])
        header = [str(h).strip() if h is not None else "" for h in header_row]
        while header and not header[-1]:
            header.pop()  # empty cells after the last column name: padding, not columns
        if not header:
            raise ImportRejected([RowError(1, "-", "the file has no header row")])
        if len(header) > limits.max_columns:
            raise ImportRejected(
                [RowError(1, "-", f"more than {limits.max_columns} columns (the limit)")]
            )
        rows = []
        for number, values in enumerate(source, 2):
            if number > limits.max_rows + 1:
                raise ImportRejected(
                    [
                        RowError(
                            number,
                            "-",
                            f"more than {limits.max_rows} rows; split the file (the limit is "
                            f"{limits.max_rows} rows)",
                        )
                    ]
                )
            if not any(v not in (None, "") for v in values):
                continue
            rows.append(
                (number, {h: values[i] if i < len(values) else None for i, h in enumerate(header)})
            )
    return header, rows


class Reader:
    """Typed access to one row's cells, collecting every problem instead of stopping."""

    def __init__(self, line: int, data: dict[str, Any]) -> None:
        self.line, self.data, self.errors = line, data, []  # type: ignore[var-annotated]

    def fail(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.line, column, reason))

    def text(self, column: str, *, required: bool = False, max_length: int = 2000) -> str | None:
        value = self.data.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(column, "is required")
            return None
        text = restore(str(value).strip()) if isinstance(value, str) else str(value)
        if len(text) > max_length:
            self.fail(column, f"has more than {max_length} characters")
        return text

    def day(self, column: str, *, required: bool = False) -> date | None:
        value = self.data.get(column)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = self.text(column, required=required)
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.fail(column, f"{text!r} is not a date (YYYY-MM-DD)")
            return None

    def number(
        self, column: str, *, whole: bool = False, required: bool = False
    ) -> float | int | None:
        value = self.data.get(column)
        if isinstance(value, bool):
            self.fail(column, "is not a number")
            return None
        if isinstance(value, int | float):
            number: float | int = value
        else:
            text = self.text(column, required=required)
            if text is None:
                return None
            try:
                number = int(text) if re.fullmatch(r"-?\d+", text) else float(text)
            except ValueError:
                self.fail(column, f"{text!r} is not a number")
                return None
        if number != number or number in (float("inf"), float("-inf")):
            self.fail(column, "is not a finite number")
            return None
        if whole:
            if float(number) != int(number):
                self.fail(column, f"{number} is not a whole number")
                return None
            return int(number)
        return number

    def choice(
        self, column: str, allowed: tuple[str, ...], *, required: bool = False
    ) -> str | None:
        text = self.text(column, required=required)
        if text is not None and text not in allowed:
            self.fail(column, f"{text!r} is not one of {', '.join(allowed)}")
            return None
        return text


def _lookup_action(ref: str) -> Action | None:
    parts = ref.split("/")
    if len(parts) != 3:
        return None
    return db.session.scalar(
        sa.select(Action)
        .join(Action.plan)
        .join(Plan.city)
        .where(City.slug == parts[0], Plan.slug == parts[1], Action.slug == parts[2])
    )


def _lookup_plan(ref: str) -> Plan | None:
    parts = ref.split("/")
    if len(parts) != 2:
        return None
    return db.session.scalar(
        sa.select(Plan).join(Plan.city).where(City.slug == parts[0], Plan.slug == parts[1])
    )


def _by_ref(model: Any, prefix: str, ref: str) -> Any:
    match = re.fullmatch(prefix + r"-(\d{1,9})", ref)
    if match:
        return db.session.get(model, int(match.group(1)))
    return db.session.scalar(sa.select(model).where(model.external_id == ref))


def _slug_of(model: Any) -> Callable[[str | None], int | None]:
    def find(slug: str | None) -> int | None:
        return db.session.scalar(sa.select(model.id).where(model.slug == slug)) if slug else None

    return find


def _import_progress(actor: User, r: Reader, result: ImportResult, today: date) -> None:
    ext = r.text("external_id", required=True, max_length=100)
    ref = r.text("action", required=True, max_length=300)
    action = _lookup_action(ref) if ref else None
    if ref and action is None:
        r.fail("action", f"no action {ref!r} (write it as city/plan/action)")
    report = dict(
        reported_on=r.day("reported_on", required=True),
        status=r.choice("status", ACTION_STATUSES, required=True),
        percent_complete=r.number("percent_complete", whole=True, required=True),
        note=r.text("note", max_length=progress.NOTE_MAX),
        evidence_url=r.text("evidence_url", max_length=progress.URL_MAX),
        indicator_value=r.number("indicator_value"),
    )
    indicator_slug = r.text("indicator", max_length=80)
    corrects_ref = r.text("corrects", max_length=100)
    if r.errors or action is None or ext is None:
        return
    indicator_id = None
    if indicator_slug:
        indicator_id = db.session.scalar(
            sa.select(Indicator.id).where(
                Indicator.action_id == action.id, Indicator.slug == indicator_slug
            )
        )
        if indicator_id is None:
            r.fail("indicator", f"{action_ref(action)} has no indicator {indicator_slug!r}")
            return
    corrects = _by_ref(ProgressUpdate, "update", corrects_ref) if corrects_ref else None
    if corrects_ref and corrects is None:
        r.fail("corrects", f"no update {corrects_ref!r}")
        return
    existing = _by_ref(ProgressUpdate, "update", ext)
    values = {
        **report,
        "indicator_id": indicator_id,
        "corrects_id": corrects.id if corrects else None,
    }
    if existing is not None:
        same = (
            all(getattr(existing, k) == v for k, v in values.items())
            and existing.action_id == action.id
        )
        if same:
            result.unchanged += 1
            return
        # Updates are never edited: a changed row becomes a correction of the update it names,
        # with an id derived from its content, so importing the same file again adds nothing.
        digest = hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()[:10]
        correction_ext = f"{ext}~{digest}"[:100]
        if _by_ref(ProgressUpdate, "update", correction_ext) is not None:
            result.unchanged += 1
            return
        # A row corrected before is corrected again at the end of its chain of corrections.
        latest = progress.effective_version(existing)
        values["corrects_id"] = latest.id
        ext = correction_ext
        result.changes.append(f"line {r.line}: correction of {update_ref(latest)}")
    else:
        result.changes.append(f"line {r.line}: new update {ext} on {action_ref(action)}")
    progress.log_progress(
        actor, action, progress.ProgressReport(**values, external_id=ext), today=today
    )
    result.created += 1


def _import_action(actor: User, r: Reader, result: ImportResult, _today: date) -> None:
    ext = r.text("external_id", required=True, max_length=300)
    plan_text = r.text("plan", required=True, max_length=200)
    values = dict(
        title=r.text("title", required=True, max_length=300),
        lead_organisation=r.text("lead_organisation", max_length=300),
        starts_on=r.day("starts_on"),
        due_on=r.day("due_on"),
    )
    sector, theme = r.text("sector", max_length=80), r.text("theme", max_length=80)
    values["sector_id"] = _slug_of(Sector)(sector)
    values["theme_id"] = _slug_of(Theme)(theme)
    if sector and values["sector_id"] is None:
        r.fail("sector", f"no sector {sector!r}")
    if theme and values["theme_id"] is None:
        r.fail("theme", f"no theme {theme!r}")
    plan = _lookup_plan(plan_text) if plan_text else None
    if plan_text and plan is None:
        r.fail("plan", f"no plan {plan_text!r} (write it as city/plan)")
    if ext and plan_text and not ext.startswith(plan_text + "/"):
        r.fail("external_id", f"must be {plan_text}/<action slug>")
    if r.errors or plan is None or ext is None:
        return
    action = _lookup_action(ext)
    if action is None:
        slug = ext.rsplit("/", 1)[-1]
        if not re.fullmatch(r"[a-z0-9-]{1,80}", slug):
            r.fail("external_id", "the action part must be lower-case letters, digits and hyphens")
            return
        plans.add_action(actor, plan, values, slug=slug)
        result.created += 1
        result.changes.append(f"line {r.line}: new action {ext}")
        return
    changed = {k: v for k, v in values.items() if getattr(action, k) != v}
    if not changed:
        result.unchanged += 1
        return
    plans.update_action(actor, action, version=action.version, values=values)
    result.updated += 1
    result.changes.append(f"line {r.line}: {ext}: {', '.join(sorted(changed))} changed")


def _import_partner(actor: User, r: Reader, result: ImportResult, _today: date) -> None:
    ext = r.text("external_id", required=True, max_length=100)
    plan_text = r.text("plan", required=True, max_length=200)
    values = dict(
        name=r.text("name", required=True, max_length=300),
        kind=r.choice("kind", PARTNER_KINDS, required=True),
        commitment=r.text("commitment", max_length=5000),
        signed_on=r.day("signed_on"),
    )
    plan = _lookup_plan(plan_text) if plan_text else None
    if plan_text and plan is None:
        r.fail("plan", f"no plan {plan_text!r} (write it as city/plan)")
    if r.errors or plan is None or ext is None:
        return
    partner = _by_ref(Partner, "partner", ext)
    if partner is None:
        if re.fullmatch(r"partner-\d+", ext):
            r.fail("external_id", f"no partner {ext!r}; a new row needs an id of your own")
            return
        plans.add_partner(actor, plan, values, external_id=ext)
        result.created += 1
        result.changes.append(f"line {r.line}: new partner {values['name']}")
        return
    if partner.plan_id != plan.id:
        r.fail("plan", f"{ext} belongs to {plan_ref(partner.plan)}")
        return
    changed = {k: v for k, v in values.items() if getattr(partner, k) != v}
    if not changed:
        result.unchanged += 1
        return
    plans.update_partner(actor, partner, version=partner.version, values=values)
    result.updated += 1
    result.changes.append(f"line {r.line}: {partner.name}: {', '.join(sorted(changed))} changed")


IMPORTERS = {"progress": _import_progress, "actions": _import_action, "partners": _import_partner}


def import_table(
    actor: User,
    kind: str,
    filename: str,
    content: bytes,
    *,
    today: date,
    limits: UploadLimits | None = None,
) -> ImportResult:
    """Apply every row, or none: each row runs in a savepoint so that every bad row is found
    and named; if any is bad, the whole import is rolled back and ImportRejected lists them.
    The caller commits (apply) or rolls back (preview)."""
    if kind not in IMPORT_KINDS:
        raise Invalid(f"Import {', '.join(IMPORT_KINDS)}, not {kind!r}.", field="kind")
    limits = limits or UploadLimits()
    file_type = check_upload(filename, content, limits)
    header, rows = read_table(file_type, content, limits)
    allowed = set(EXPORTS[kind].columns)
    errors = [RowError(1, h or "(empty)", "unknown column") for h in header if h not in allowed]
    errors += [RowError(1, c, "missing column") for c in sorted(REQUIRED[kind] - set(header))]
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([RowError(2, "-", "the file has no rows under its header")])
    result = ImportResult()
    seen: dict[str, int] = {}
    for line, data in rows:
        reader = Reader(line, data)
        ext = str(data.get("external_id") or "").strip()
        if ext and ext in seen:
            reader.fail("external_id", f"{ext!r} is on line {seen[ext]} already")
        seen.setdefault(ext, line)
        if not reader.errors:
            savepoint = db.session.begin_nested()
            try:
                IMPORTERS[kind](actor, reader, result, today)
            except DomainError as exc:
                reader.fail(exc.field or "-", exc.message)
            if reader.errors:
                savepoint.rollback()
            else:
                savepoint.commit()
        result.errors += reader.errors
    if result.errors:
        db.session.rollback()
        raise ImportRejected(result.errors)
    return result
