"""Progress rows imported in bulk: the same rules, words and results as logging each row through
`progress.log_progress`, in a fixed number of queries whatever the file's length.

Everything a row is checked against (its action, indicator, the update it corrects or repeats)
is read first, in a few queries; then the rows are checked in file order against that, and
against the rows before them in the file, exactly as one-by-one logging would; then, on apply,
everything is written in a handful of bulk statements. A preview only reads.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import sqlalchemy as sa
from flask_babel import gettext as _
from pydantic import ValidationError

from tracker.extensions import db
from tracker.models import (
    Action,
    AuditEvent,
    City,
    Indicator,
    IndicatorValue,
    Plan,
    ProgressUpdate,
)
from tracker.schemas.base import build
from tracker.schemas.reports import ProgressFields, ProgressReport
from tracker.schemas.rows import ProgressRow
from tracker.services import permissions, progress
from tracker.services.audit import jsonable
from tracker.services.errors import DomainError, Invalid
from tracker.services.permissions import Actor

CHUNK = 900  # values per IN (...): under every SQLite build's limit of bound parameters
UPDATE_REF = re.compile(r"update-(\d{1,9})")


class Result(Protocol):
    """What the import reports (ImportResult): counted and described here."""

    today: date
    created: int
    unchanged: int
    changes: list[str]


@dataclass
class Target:
    """An action as the import sees it, with its current state as rows are applied."""

    id: int
    ref: str
    city_id: int
    plan_started_on: date | None
    status: str | None
    percent: int | None
    last_reported_on: date | None
    updates: list[Update] = field(default_factory=list)
    changed: bool = False


@dataclass(eq=False)
class Update:
    """A stored update, or one this import will store (`row` set, `id` None until written)."""

    id: int | None
    action_id: int | None
    reported_on: date
    status: str | None
    percent: int | None
    note: str | None = None
    evidence_url: str | None = None
    indicator_id: int | None = None
    value: float | None = None
    external_id: str | None = None
    corrects: Update | None = None
    corrected_by: Update | None = None
    original: Update | None = None
    corrects_id_stored: int | None = None
    row: Planned | None = None
    order: tuple[int, int] = (0, 0)  # where it stands: stored (0, id), new (1, position)

    @property
    def corrects_id(self) -> int | None:
        return self.corrects.id if self.corrects is not None else self.corrects_id_stored

    def same_as(self, values: dict[str, Any]) -> bool:
        """Whether a report's values (ProgressReport's names) are this update's."""
        mine = {
            "reported_on": self.reported_on,
            "status": self.status,
            "percent_complete": self.percent,
            "note": self.note,
            "evidence_url": self.evidence_url,
            "indicator_value": self.value,
            "indicator_id": self.indicator_id,
            "corrects_id": self.corrects_id,
        }
        return all(mine[k] == v for k, v in values.items())

    @property
    def place(self) -> tuple[int, int]:
        """Ordering by coalesce(original_id, id): a correction stands at its original's place."""
        return (self.original or self).order


@dataclass(eq=False)
class Planned:
    line: int
    target: Target
    update: Update
    before: dict[str, Any]
    after: dict[str, Any] = field(default_factory=dict)


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class Loaded:
    """What the file's rows refer to, read in a fixed number of queries."""

    def __init__(self, rows: Sequence[ProgressRow]) -> None:
        self._load_targets({row.action for row in rows})
        by_id = {t.id: t for t in self.targets.values()}
        self._load_indicators(by_id)
        self._load_updates(rows, by_id)

    def _load_targets(self, refs: set[str]) -> None:
        cities = {ref.split("/")[0] for ref in refs if ref.count("/") == 2}
        self.targets: dict[str, Target] = {}
        for chunk in _chunks(cities):
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
        for chunk in _chunks(by_id):
            for indicator_id, action_id, slug in db.session.execute(
                sa.select(Indicator.id, Indicator.action_id, Indicator.slug).where(
                    Indicator.action_id.in_(chunk)
                )
            ):
                self.indicators[(action_id, slug)] = indicator_id

    def _load_updates(self, rows: Sequence[ProgressRow], by_id: dict[int, Target]) -> None:
        found = _stored_updates(rows, self.targets)
        self.updates: dict[int, Update] = {
            r[0]: Update(
                id=r[0],
                action_id=r[1],
                reported_on=r[2],
                status=r[3],
                percent=r[4],
                note=r[5],
                evidence_url=r[6],
                indicator_id=r[7],
                value=r[8],
                external_id=r[9],
                corrects_id_stored=r[10],
                order=(0, r[0]),
            )
            for r in found.values()
        }
        for r in found.values():
            update = self.updates[r[0]]
            if r[10] in self.updates:
                update.corrects = self.updates[r[10]]
                self.updates[r[10]].corrected_by = update
            if r[11] in self.updates:
                update.original = self.updates[r[11]]
        self.by_ext = {u.external_id: u for u in self.updates.values() if u.external_id}
        for update in self.updates.values():
            if update.action_id in by_id:
                by_id[update.action_id].updates.append(update)

    def by_ref(self, ref: str) -> Update | None:
        match = UPDATE_REF.fullmatch(ref)
        if match:
            return self.updates.get(int(match.group(1)))
        return self.by_ext.get(ref)


COLUMNS = (
    ProgressUpdate.id,
    ProgressUpdate.action_id,
    ProgressUpdate.reported_on,
    ProgressUpdate.status,
    ProgressUpdate.percent_complete,
    ProgressUpdate.note,
    ProgressUpdate.evidence_url,
    ProgressUpdate.indicator_id,
    ProgressUpdate.indicator_value,
    ProgressUpdate.external_id,
    ProgressUpdate.corrects_id,
    ProgressUpdate.original_id,
)


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

    def load(where: Any) -> None:
        for stored in db.session.execute(sa.select(*COLUMNS).where(where)):
            found[stored[0]] = tuple(stored)

    for column, values in ((ProgressUpdate.id, ids), (ProgressUpdate.external_id, exts)):
        for chunk in _chunks(values):
            load(column.in_(chunk))
    by_id = {t.id for t in targets.values()}
    corrected = {r[1] for r in found.values() if r[1] in by_id} | {
        targets[row.action].id for row in rows if row.corrects and row.action in targets
    }
    for chunk in _chunks(corrected):
        load(ProgressUpdate.action_id.in_(chunk))
    # A chain lies within one action: those of these actions are loaded whole already.
    roots = {r[11] or r[0] for r in found.values() if r[1] not in corrected}
    for chunk in _chunks(roots):
        load(sa.or_(ProgressUpdate.id.in_(chunk), ProgressUpdate.original_id.in_(chunk)))
    return found


def _effective(update: Update) -> Update:
    while update.corrected_by is not None:
        update = update.corrected_by
    return update


def _take_in(target: Target, update: Update) -> None:
    """The action's state once `update` is added: a new report on the latest date (or later)
    decides it; an earlier one leaves it; a correction may change any, so all are weighed."""
    if update.corrects is not None:
        effective = [u for u in target.updates if u.corrected_by is None]
        latest = max(effective, key=lambda u: (u.reported_on, u.place), default=None)
        _set_state(
            target,
            (latest.status, latest.percent, latest.reported_on) if latest else (None, None, None),
        )
    elif target.last_reported_on is None or update.reported_on >= target.last_reported_on:
        _set_state(target, (update.status, update.percent, update.reported_on))


def _set_state(target: Target, state: tuple[str | None, int | None, date | None]) -> None:
    if (target.status, target.percent, target.last_reported_on) != state:
        target.status, target.percent, target.last_reported_on = state
        target.changed = True


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
    progress.check_report(report)
    if corrected is not None:
        reported_on = _check_correction(target, corrected, report)
    else:
        reported_on = progress.check_date(
            report.reported_on or result.today, target.plan_started_on, result.today
        )
    before = {"status": target.status, "percent_complete": target.percent}
    update = Update(
        id=None,
        action_id=target.id,
        reported_on=reported_on,
        status=report.status,
        percent=report.percent_complete,
        note=(report.note or "").strip() or None,
        evidence_url=report.evidence_url,
        indicator_id=report.indicator_id,
        value=report.indicator_value,
        external_id=ext,
        corrects=corrected,
        original=(corrected.original or corrected) if corrected else None,
        order=(1, position),
    )
    item = Planned(line, target, update, before)
    update.row = item
    if corrected is not None:
        corrected.corrected_by = update
    target.updates.append(update)
    loaded.by_ext[ext] = update
    _take_in(target, update)
    item.after = {
        "reported_on": reported_on,
        "status": target.status,
        "percent_complete": target.percent,
        "note": update.note,
        "evidence_url": update.evidence_url,
        "indicator_id": update.indicator_id,
        "indicator_value": update.value,
    }
    result.changes.append(f"line {line}: {change}")
    result.created += 1
    return item


def _repeat_or_correction(
    loaded: Loaded,
    target: Target,
    ext: str,
    values: dict[str, Any],
    corrects: Update | None,
) -> tuple[str, Update | None, str] | None:
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
    corrected = _effective(existing)
    values["corrects_id"] = corrected.id
    ref = corrected.external_id or f"update-{corrected.id}"
    return correction_ext, corrected, f"correction of {ref}"


def _check_correction(target: Target, corrected: Update, report: ProgressReport) -> date:
    by = corrected.corrected_by
    progress.check_correction(
        belongs=corrected.action_id == target.id,
        corrected_by=(by.id or by.external_id) if by is not None else None,
        kept_on=corrected.reported_on,
        reported_on=report.reported_on,
    )
    return corrected.reported_on


def write(actor: Actor, planned: Sequence[Planned]) -> None:
    """Store the planned updates, their indicator values, the actions' current state and one
    audit event per update, in a few bulk statements (the caller commits)."""
    if not planned:
        return
    updates = [p.update for p in planned]
    ids = db.session.scalars(
        sa.insert(ProgressUpdate).returning(ProgressUpdate.id, sort_by_parameter_order=True),
        [
            {
                "action_id": u.action_id,
                "author_id": actor.id,
                "reported_on": u.reported_on,
                "status": u.status,
                "percent_complete": u.percent,
                "note": u.note,
                "evidence_url": u.evidence_url,
                "indicator_id": u.indicator_id,
                "indicator_value": u.value,
                "external_id": u.external_id,
                "corrects_id": u.corrects.id if u.corrects and u.corrects.row is None else None,
                "original_id": u.original.id if u.original and u.original.row is None else None,
            }
            for u in updates
        ],
    ).all()
    for update, new_id in zip(updates, ids, strict=True):
        update.id = new_id
    # Corrections of rows stored by this same import: their links, now that those have ids.
    linked = [
        {"b_id": u.id, "b_corrects": u.corrects.id, "b_original": u.original.id}  # type: ignore[union-attr]
        for u in updates
        if (u.corrects and u.corrects.row is not None)
        or (u.original and u.original.row is not None)
    ]
    table = sa.table(
        "progress_updates", sa.column("id"), sa.column("corrects_id"), sa.column("original_id")
    )
    if linked:
        db.session.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"))
            .values(corrects_id=sa.bindparam("b_corrects"), original_id=sa.bindparam("b_original")),
            linked,
        )
    values = [
        {
            "indicator_id": u.indicator_id,
            "measured_on": u.reported_on,
            "value": u.value,
            "progress_update_id": u.id,
            "note": f"Reported with progress update {u.id}",
        }
        for u in updates
        if u.indicator_id is not None
    ]
    if values:
        db.session.execute(sa.insert(IndicatorValue), values)
    targets = {p.target.id: p.target for p in planned if p.target.changed}
    actions = sa.table(
        "actions",
        sa.column("id"),
        sa.column("status"),
        sa.column("percent_complete"),
        sa.column("last_reported_on"),
        sa.column("version"),
    )
    if targets:
        db.session.execute(
            sa.update(actions)
            .where(actions.c.id == sa.bindparam("b_id"))
            .values(
                status=sa.bindparam("b_status"),
                percent_complete=sa.bindparam("b_percent"),
                last_reported_on=sa.bindparam("b_day"),
                version=actions.c.version + 1,
            ),
            [
                {
                    "b_id": t.id,
                    "b_status": t.status,
                    "b_percent": t.percent,
                    "b_day": t.last_reported_on,
                }
                for t in targets.values()
            ],
        )
    db.session.execute(
        sa.insert(AuditEvent),
        [
            {
                "user_id": actor.id,
                "actor": actor.email,
                "verb": "progress.correct" if p.update.corrects else "progress.log",
                "entity_type": "action",
                "entity_id": str(p.target.id),
                "city_id": p.target.city_id,
                "before": {k: jsonable(v) for k, v in p.before.items()},
                "after": {
                    k: jsonable(v)
                    for k, v in {
                        "update_id": p.update.id,
                        **p.after,
                        "corrects_id": p.update.corrects.id if p.update.corrects else None,
                    }.items()
                },
            }
            for p in planned
        ],
    )
    # The ORM's copies of these actions (if any are loaded) are out of date now.
    db.session.expire_all()
