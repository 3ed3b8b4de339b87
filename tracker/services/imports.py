"""Imports of progress, actions and partners in the columns the exports write: all rows or
none, matched by a stable external id, through the same services as the web forms."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import (
    Indicator,
    Partner,
    ProgressUpdate,
    Sector,
    Theme,
    User,
)
from tracker.models.plan import ACTION_STATUSES, PARTNER_KINDS
from tracker.services import keys, plans, progress
from tracker.services.errors import DomainError, Invalid
from tracker.services.exports import EXPORTS
from tracker.services.uploads import (
    ImportRejected,
    RowError,
    UploadLimits,
    check_upload,
    read_table,
)
from tracker.tables import restore

__all__ = [
    "IMPORT_KINDS",
    "ImportRejected",
    "ImportResult",
    "RowError",
    "UploadLimits",
    "import_table",
]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


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


def _slug_of(model: type[Sector] | type[Theme]) -> Callable[[str | None], int | None]:
    def find(slug: str | None) -> int | None:
        return db.session.scalar(sa.select(model.id).where(model.slug == slug)) if slug else None

    return find


def _import_progress(actor: User, r: Reader, result: ImportResult, today: date) -> None:
    ext = r.text("external_id", required=True, max_length=100)
    ref = r.text("action", required=True, max_length=300)
    action = keys.lookup_action(ref) if ref else None
    if ref and action is None:
        r.fail("action", f"no action {ref!r} (write it as city/plan/action)")
    report: dict[str, Any] = {
        "reported_on": r.day("reported_on", required=True),
        "status": r.choice("status", ACTION_STATUSES, required=True),
        "percent_complete": r.number("percent_complete", whole=True, required=True),
        "note": r.text("note", max_length=progress.NOTE_MAX),
        "evidence_url": r.text("evidence_url", max_length=progress.URL_MAX),
        "indicator_value": r.number("indicator_value"),
    }
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
            r.fail("indicator", f"{keys.action_ref(action)} has no indicator {indicator_slug!r}")
            return
    corrects = keys.by_ref(ProgressUpdate, "update", corrects_ref) if corrects_ref else None
    if corrects_ref and corrects is None:
        r.fail("corrects", f"no update {corrects_ref!r}")
        return
    existing = keys.by_ref(ProgressUpdate, "update", ext)
    values: dict[str, Any] = {
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
        if keys.by_ref(ProgressUpdate, "update", correction_ext) is not None:
            result.unchanged += 1
            return
        # A row corrected before is corrected again at the end of its chain of corrections.
        latest = progress.effective_version(existing)
        values["corrects_id"] = latest.id
        ext = correction_ext
        result.changes.append(f"line {r.line}: correction of {keys.update_ref(latest)}")
    else:
        result.changes.append(f"line {r.line}: new update {ext} on {keys.action_ref(action)}")
    progress.log_progress(
        actor, action, progress.ProgressReport(**values, external_id=ext), today=today
    )
    result.created += 1


def _import_action(actor: User, r: Reader, result: ImportResult, _today: date) -> None:
    ext = r.text("external_id", required=True, max_length=300)
    plan_text = r.text("plan", required=True, max_length=200)
    values: dict[str, Any] = {
        "title": r.text("title", required=True, max_length=300),
        "lead_organisation": r.text("lead_organisation", max_length=300),
        "starts_on": r.day("starts_on"),
        "due_on": r.day("due_on"),
    }
    sector, theme = r.text("sector", max_length=80), r.text("theme", max_length=80)
    values["sector_id"] = _slug_of(Sector)(sector)
    values["theme_id"] = _slug_of(Theme)(theme)
    if sector and values["sector_id"] is None:
        r.fail("sector", f"no sector {sector!r}")
    if theme and values["theme_id"] is None:
        r.fail("theme", f"no theme {theme!r}")
    plan = keys.lookup_plan(plan_text) if plan_text else None
    if plan_text and plan is None:
        r.fail("plan", f"no plan {plan_text!r} (write it as city/plan)")
    if ext and plan_text and not ext.startswith(plan_text + "/"):
        r.fail("external_id", f"must be {plan_text}/<action slug>")
    if r.errors or plan is None or ext is None:
        return
    action = keys.lookup_action(ext)
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
    values = {
        "name": r.text("name", required=True, max_length=300),
        "kind": r.choice("kind", PARTNER_KINDS, required=True),
        "commitment": r.text("commitment", max_length=5000),
        "signed_on": r.day("signed_on"),
    }
    plan = keys.lookup_plan(plan_text) if plan_text else None
    if plan_text and plan is None:
        r.fail("plan", f"no plan {plan_text!r} (write it as city/plan)")
    if r.errors or plan is None or ext is None:
        return
    partner = keys.by_ref(Partner, "partner", ext)
    if partner is None:
        if re.fullmatch(r"partner-\d+", ext):
            r.fail("external_id", f"no partner {ext!r}; a new row needs an id of your own")
            return
        plans.add_partner(actor, plan, values, external_id=ext)
        result.created += 1
        result.changes.append(f"line {r.line}: new partner {values['name']}")
        return
    if partner.plan_id != plan.id:
        r.fail("plan", f"{ext} belongs to {keys.plan_ref(partner.plan)}")
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
