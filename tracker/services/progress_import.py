"""Progress rows imported in bulk: the same rules, words and results as logging each row through
`progress.log_progress`, in a fixed number of queries whatever the file's length.

Everything a row is checked against (its action, indicator, the update it corrects or repeats)
is read first, in a few queries; then the rows are checked in file order against that, and
against the rows before them in the file, exactly as one-by-one logging would; then, on apply,
everything is written in a handful of bulk statements. What each row does is decided and
written by the ledger (services/ledger.py), as for a single report. A preview only reads.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

import sqlalchemy as sa
from flask_babel import gettext as _
from pydantic import ValidationError

from tracker.domain import permissions
from tracker.domain.errors import DomainError, Invalid
from tracker.domain.permissions import Actor
from tracker.extensions import db
from tracker.models import Action, City, Indicator, Plan, ProgressUpdate
from tracker.schemas.base import build
from tracker.schemas.reports import ProgressFields, ProgressReport
from tracker.schemas.rows import ProgressRow
from tracker.services import ledger
from tracker.services.ledger import Entry, Planned, Target

UPDATE_REF = re.compile(r"update-(\d{1,9})")


class Result(Protocol):
    """What the import reports (ImportResult): counted and described here."""

    today: date
    created: int
    unchanged: int
    changes: list[str]


class Loaded:
    """What the file's rows refer to, read in a fixed number of queries."""

    def __init__(self, rows: Sequence[ProgressRow]) -> None:
        self._load_targets({row.action for row in rows})
        by_id = {t.id: t for t in self.targets.values()}
        self._load_indicators(by_id)
        self.updates = ledger.entries(_stored_updates(rows, self.targets).values())
        self.by_ext = {u.external_id: u for u in self.updates.values() if u.external_id}
        for update in self.updates.values():
            if update.action_id in by_id:
                by_id[update.action_id].updates.append(update)

    def _load_targets(self, refs: set[str]) -> None:
        cities = {ref.split("/")[0] for ref in refs if ref.count("/") == 2}
        self.targets: dict[str, Target] = {}
        for chunk in ledger.chunks(cities):
            for a in db.session.execute(
                sa.select(
                    Action.id,
                    City.slug,
                    Plan.slug,
                    Action.slug,
                    Plan.city_id,
                    Plan.started_on,
                    Action.status,
                    Action.percent_complete,
                    Action.last_reported_on,
                )
                .join(Action.plan)
                .join(Plan.city)
                .where(City.slug.in_(chunk))
            ):
                ref = f"{a[1]}/{a[2]}/{a[3]}"
                if ref in refs:
                    self.targets[ref] = Target(a[0], ref, a[4], a[5], a[6], a[7], a[8])

    def _load_indicators(self, by_id: dict[int, Target]) -> None:
        self.indicators: dict[tuple[int, str], int] = {}
        for chunk in ledger.chunks(by_id):
            for indicator_id, action_id, slug in db.session.execute(
                sa.select(Indicator.id, Indicator.action_id, Indicator.slug).where(
                    Indicator.action_id.in_(chunk)
                )
            ):
                self.indicators[(action_id, slug)] = indicator_id

    def by_ref(self, ref: str) -> Entry | None:
        match = UPDATE_REF.fullmatch(ref)
        if match:
            return self.updates.get(int(match.group(1)))
        return self.by_ext.get(ref)


def _stored_updates(
    rows: Sequence[ProgressRow], targets: dict[str, Target]
) -> dict[int, tuple[Any, ...]]:
    """The updates the rows name (by id or external id) with the whole chain of corrections
    of each; and every update of the actions a row may correct. A new report needs no more:
    the action's current state, kept on the action, says whether it becomes the latest."""
    ids = {
        int(m.group(1))
        for row in rows
        for ref in (row.external_id, row.corrects or "")
        if (m := UPDATE_REF.fullmatch(ref))
    }
    exts = {ref for row in rows for ref in (row.external_id, row.corrects) if ref}
    found: dict[int, tuple[Any, ...]] = {}
    for column, values in ((ProgressUpdate.id, ids), (ProgressUpdate.external_id, exts)):
        for chunk in ledger.chunks(values):
            found |= ledger.stored_rows(column.in_(chunk))
    by_id = {t.id for t in targets.values()}
    corrected = {r[1] for r in found.values() if r[1] in by_id} | {
        targets[row.action].id for row in rows if row.corrects and row.action in targets
    }
    for chunk in ledger.chunks(corrected):
        found |= ledger.stored_rows(ProgressUpdate.action_id.in_(chunk))
    # A chain lies within one action: those of these actions are loaded whole already.
    roots = {r[11] or r[0] for r in found.values() if r[1] not in corrected}
    for chunk in ledger.chunks(roots):
        found |= ledger.stored_rows(
            sa.or_(ProgressUpdate.id.in_(chunk), ProgressUpdate.original_id.in_(chunk))
        )
    return found


def plan_rows(
    actor: Actor, rows: Sequence[tuple[int, ProgressRow]], result: Result
) -> tuple[list[Planned], list[tuple[int, DomainError | ValidationError]]]:
    """Check every row in file order, each against what is stored and the rows before it;
    return what would be stored, and each refused row's line and reason. Only reads."""
    loaded = Loaded([row for _line, row in rows])
    planned: list[Planned] = []
    refused: list[tuple[int, DomainError | ValidationError]] = []
    allowed: dict[int, bool] = {}
    for line, row in rows:
        try:
            item = _plan_row(actor, loaded, line, row, result, allowed, len(planned))
        except (DomainError, ValidationError) as exc:
            refused.append((line, exc))
            continue
        if item is not None:
            planned.append(item)
    return planned, refused


def _plan_row(
    actor: Actor,
    loaded: Loaded,
    line: int,
    row: ProgressRow,
    result: Result,
    allowed: dict[int, bool],
    position: int,
) -> Planned | None:
    target = loaded.targets.get(row.action)
    if target is None:
        raise Invalid(
            _("no action %(action)s (write it as city/plan/action)", action=repr(row.action)),
            field="action",
        )
    indicator_id = None
    if row.indicator:
        indicator_id = loaded.indicators.get((target.id, row.indicator))
        if indicator_id is None:
            raise Invalid(
                _(
                    "%(action_ref)s has no indicator %(indicator)s",
                    action_ref=target.ref,
                    indicator=repr(row.indicator),
                ),
                field="indicator",
            )
    corrects = loaded.by_ref(row.corrects) if row.corrects else None
    if row.corrects and corrects is None:
        raise Invalid(_("no update %(corrects)s", corrects=repr(row.corrects)), field="corrects")
    values: dict[str, Any] = {
        **row.model_dump(include=set(ProgressFields.model_fields)),
        "indicator_id": indicator_id,
        "corrects_id": corrects.id if corrects else None,
    }
    repeat = _repeat_or_correction(loaded, target, row.external_id, values, corrects)
    if repeat is None:
        result.unchanged += 1
        return None
    ext, corrected, change = repeat
    report = build(ProgressReport, **values)
    if not allowed.setdefault(target.city_id, permissions.can_edit_city(actor, target.city_id)):
        permissions.require_city_editor(actor, target.city_id)  # refused, in its own words
    reported_on = ledger.check(target, report, corrected, result.today)
    item = ledger.plan(
        target,
        report,
        reported_on=reported_on,
        corrected=corrected,
        external_id=ext,
        order=(1, position),
    )
    ledger.take_in(item)
    loaded.by_ext[ext] = item.entry
    result.changes.append(f"line {line}: {change}")
    result.created += 1
    return item


def _repeat_or_correction(
    loaded: Loaded,
    target: Target,
    ext: str,
    values: dict[str, Any],
    corrects: Entry | None,
) -> tuple[str, Entry | None, str] | None:
    """A row imported before, unchanged: None. Changed: a correction of the end of its chain,
    with an id derived from its content (so importing the same file again adds nothing).
    New: itself. Returns (external id, update corrected, what the preview says)."""
    existing = loaded.by_ref(ext)
    if existing is None:
        return ext, corrects, f"new update {ext} on {target.ref}"
    if existing.action_id == target.id and existing.same_as(values):
        return None
    digest = hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()[:10]
    correction_ext = f"{ext}~{digest}"[:100]
    if loaded.by_ref(correction_ext) is not None:
        return None
    corrected = ledger.effective(existing)
    values["corrects_id"] = corrected.id
    ref = corrected.external_id or f"update-{corrected.id}"
    return correction_ext, corrected, f"correction of {ref}"
