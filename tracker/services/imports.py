"""Imports of progress, actions and partners in the columns the exports write: all rows or
none, matched by a stable external id, through the same services as the web forms."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from pydantic import ValidationError

from tracker import cache
from tracker.database import reading
from tracker.domain.errors import DomainError, Invalid, Unprocessable
from tracker.domain.permissions import Actor
from tracker.extensions import db
from tracker.models import ActionCost, Partner, Plan, Sector, Theme
from tracker.models.frameworks import FIELDS as FRAMEWORK_FIELDS
from tracker.queries import keys
from tracker.queries.exports import EXPORTS
from tracker.schemas.base import problems
from tracker.schemas.rows import ActionRow, CostRow, PartnerRow, ProgressRow, Row
from tracker.services import frameworks, ledger, plans, progress_import, review
from tracker.services.uploads import (
    ImportRejected,
    RowError,
    UploadLimits,
    check_upload,
    read_table,
)

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
    today: date
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # A progress import's checked rows, ready to be written (services/progress_import.py).
    planned: list[Any] = field(default_factory=list)
    # Whether the importer approves the rows as they are written (they review those cities).
    approve: bool = False


def _slug_of(model: type[Sector] | type[Theme], slug: str | None) -> int | None:
    return db.session.scalar(sa.select(model.id).where(model.slug == slug)) if slug else None


def _plan_and_refs(row: ActionRow | PartnerRow) -> tuple[Plan, dict[str, int | None]]:
    """The row's plan, and its sector and theme (for actions) as ids; every miss named."""
    problems: list[tuple[str | None, str]] = []
    plan = keys.lookup_plan(row.plan)
    if plan is None:
        problems.append(
            ("plan", _("no plan %(plan)s (write it as city/plan)", plan=repr(row.plan)))
        )
    ids: dict[str, int | None] = {}
    if isinstance(row, ActionRow):
        ids = {"sector_id": _slug_of(Sector, row.sector), "theme_id": _slug_of(Theme, row.theme)}
        if row.sector and ids["sector_id"] is None:
            problems.append(("sector", _("no sector %(sector)s", sector=repr(row.sector))))
        if row.theme and ids["theme_id"] is None:
            problems.append(("theme", _("no theme %(theme)s", theme=repr(row.theme))))
        if not row.external_id.startswith(row.plan + "/"):
            problems.append(("external_id", _("must be %(plan)s/<action slug>", plan=row.plan)))
    if problems or plan is None:
        raise Unprocessable(problems)
    return plan, ids


def _import_action(actor: Actor, row: ActionRow, line: int, result: ImportResult) -> None:
    plan, ids = _plan_and_refs(row)
    values: dict[str, Any] = {
        **row.model_dump(
            include={"title", "lead_organisation", "starts_on", "due_on", *FRAMEWORK_FIELDS}
        ),
        **ids,
    }
    ext = row.external_id
    action = keys.lookup_action(ext)
    if action is None:
        slug = ext.rsplit("/", 1)[-1]
        if not re.fullmatch(r"[a-z0-9-]{1,80}", slug):
            raise Invalid(
                _("the action part must be lower-case letters, digits and hyphens"),
                field="external_id",
            )
        plans.add_action(actor, plan, values, slug=slug)
        result.created += 1
        result.changes.append(f"line {line}: new action {ext}")
        return
    _update(
        action,
        values,
        ext,
        result,
        line,
        lambda: plans.update_action(actor, action, version=action.version, values=values),
    )


def _import_partner(actor: Actor, row: PartnerRow, line: int, result: ImportResult) -> None:
    plan, _refs = _plan_and_refs(row)
    values = row.model_dump(include={"name", "kind", "commitment", "signed_on"})
    ext = row.external_id
    partner = keys.by_ref(Partner, "partner", ext)
    if partner is None:
        if re.fullmatch(r"partner-\d+", ext):
            raise Invalid(
                _("no partner %(ext)s; a new row needs an id of your own", ext=repr(ext)),
                field="external_id",
            )
        plans.add_partner(actor, plan, values, external_id=ext)
        result.created += 1
        result.changes.append(f"line {line}: new partner {values['name']}")
        return
    if partner.plan_id != plan.id:
        raise Invalid(
            _("%(ext)s belongs to %(plan_ref)s", ext=ext, plan_ref=keys.plan_ref(partner.plan)),
            field="plan",
        )
    _update(
        partner,
        values,
        partner.name,
        result,
        line,
        lambda: plans.update_partner(actor, partner, version=partner.version, values=values),
    )


def _update(
    record: Any,
    values: dict[str, Any],
    name: str,
    result: ImportResult,
    line: int,
    save: Callable[[], object],
) -> None:
    """A stored record a row names again: unchanged, or saved with the row's values."""
    changed = {k: v for k, v in values.items() if getattr(record, k) != v}
    if not changed:
        result.unchanged += 1
        return
    save()
    result.updated += 1
    result.changes.append(f"line {line}: {name}: {', '.join(sorted(changed))} changed")


def _import_cost(actor: Actor, row: CostRow, line: int, result: ImportResult) -> None:
    action = keys.lookup_action(row.action)
    if action is None:
        raise Invalid(_("no action %(ref)s", ref=repr(row.action)), field="action")
    stored = db.session.scalar(
        sa.select(ActionCost).where(
            ActionCost.action_id == action.id,
            ActionCost.year == row.year,
            ActionCost.funding_source == row.funding_source,
        )
    )
    now = (stored.planned_eur, stored.spent_eur) if stored else (None, None)
    if now == (row.planned_eur, row.spent_eur):
        result.unchanged += 1
        return
    frameworks.set_cost(
        actor,
        action,
        year=row.year,
        funding_source=row.funding_source,
        planned_eur=row.planned_eur,
        spent_eur=row.spent_eur,
    )
    if stored is None:
        result.created += 1
    else:
        result.updated += 1
    result.changes.append(f"line {line}: {row.action} {row.year} {row.funding_source}")


# Row by row, each through its service; progress goes in bulk (_import_progress_rows).
IMPORTERS: dict[str, tuple[type[Row], Callable[..., None]]] = {
    "actions": (ActionRow, _import_action),
    "partners": (PartnerRow, _import_partner),
    "costs": (CostRow, _import_cost),
}
# The registry every door (the web form, the command line) offers.
IMPORT_KINDS = ("progress", *IMPORTERS)


def _row_errors(line: int, exc: DomainError | ValidationError) -> list[RowError]:
    if isinstance(exc, ValidationError):
        pairs = problems(exc, "row")
    elif isinstance(exc, Unprocessable):
        pairs = exc.errors
    else:
        pairs = [(exc.field, exc.message)]
    return [RowError(line, field or "-", reason) for field, reason in pairs]


def import_table(
    actor: Actor,
    kind: str,
    filename: str,
    content: bytes,
    *,
    today: date,
    limits: UploadLimits | None = None,
    write: bool = True,
    approve: bool = False,
) -> ImportResult:
    """Apply every row, or none: every bad row is found and named; if any is bad, the whole
    import is rolled back and ImportRejected lists them. The caller commits (apply) or rolls
    back (preview). Progress rows are checked in bulk, and with `write` false (a preview)
    only read: the preview takes no write lock."""
    if kind not in IMPORT_KINDS:
        raise Invalid(
            _("Import %(join)s, not %(kind)s.", join=", ".join(IMPORT_KINDS), kind=repr(kind)),
            field="kind",
        )
    limits = limits or UploadLimits()
    file_type = check_upload(filename, content, limits)
    header, rows = read_table(file_type, content, limits)
    shape = IMPORTERS[kind][0] if kind in IMPORTERS else ProgressRow
    allowed = set(EXPORTS[kind].columns)
    required = shape.required_columns()
    errors = [
        RowError(1, h or _("(empty)"), _("unknown column")) for h in header if h not in allowed
    ]
    errors += [RowError(1, c, _("missing column")) for c in sorted(required - set(header))]
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([RowError(2, "-", _("the file has no rows under its header"))])
    result = ImportResult(today=today, approve=approve)
    unique = _unique_rows(rows, result)
    if kind == "progress":
        _import_progress_rows(actor, unique, result, write=write)
    else:
        apply = IMPORTERS[kind][1]
        for line, data in unique:
            savepoint = db.session.begin_nested()
            try:
                apply(actor, shape.model_validate(data), line, result)
            except (DomainError, ValidationError) as exc:
                savepoint.rollback()
                result.errors += _row_errors(line, exc)
            else:
                savepoint.commit()
    if result.errors:
        db.session.rollback()
        result.errors.sort(key=lambda e: e.line)
        raise ImportRejected(result.errors)
    return result


def _unique_rows(
    rows: list[tuple[int, dict[str, Any]]], result: ImportResult
) -> list[tuple[int, dict[str, Any]]]:
    """The rows whose external id no row above has; each repeat is an error."""
    seen: dict[str, int] = {}
    unique: list[tuple[int, dict[str, Any]]] = []
    for line, data in rows:
        ext = str(data.get("external_id") or "").strip()
        if ext and ext in seen:
            result.errors.append(
                RowError(
                    line,
                    "external_id",
                    _("%(ext)s is on line %(line)s already", ext=repr(ext), line=seen[ext]),
                )
            )
            continue
        seen.setdefault(ext, line)
        unique.append((line, data))
    return unique


def _import_progress_rows(
    actor: Actor, rows: list[tuple[int, dict[str, Any]]], result: ImportResult, *, write: bool
) -> None:
    """Progress in bulk (services/progress_import.py): the same checks and words as one row
    at a time, in a fixed number of queries; written only when `write`."""
    valid: list[tuple[int, ProgressRow]] = []
    for line, data in rows:
        try:
            valid.append((line, ProgressRow.model_validate(data)))
        except ValidationError as exc:
            result.errors += _row_errors(line, exc)
    planned, refused = progress_import.plan_rows(actor, valid, result)
    for line, reason in refused:
        result.errors += _row_errors(line, reason)
    result.planned = planned
    if write and not result.errors:
        _store(actor, result)


def _store(actor: Actor, result: ImportResult) -> None:
    """Write the checked rows; they enter review as submitted, or approved by the importer
    (services/review.py)."""
    ledger.write(actor, result.planned)
    review.entered(actor, updates=[p.entry.id for p in result.planned], approve=result.approve)


def apply_file(
    actor: Actor,
    kind: str,
    filename: str,
    content: bytes,
    *,
    today: date,
    limits: UploadLimits,
    approve: bool = False,
) -> ImportResult:
    """Check a file again and write it (the caller commits). Progress is checked outside the
    write lock (on SQLite, others' writes go on meanwhile), then written under it; if anything
    was committed in between, it is checked again under the lock, so what is written was
    checked against the data it lands on."""
    if kind != "progress":
        return import_table(actor, kind, filename, content, today=today, limits=limits)
    if approve:  # refused before anything is read, not after the write
        review.require_batch_reviewer(actor)
    db.session.rollback()
    with reading():
        seen = cache.stored_version()
        result = import_table(
            actor, kind, filename, content, today=today, limits=limits, write=False, approve=approve
        )
    db.session.rollback()  # the reading transaction ends; the next one takes the write lock
    if cache.stored_version() != seen:
        return import_table(
            actor, kind, filename, content, today=today, limits=limits, approve=approve
        )
    _store(actor, result)
    return result
