"""The progress ledger: the one module that inserts progress rows.

`plan` decides, reading and writing nothing, what one report does: the row to insert, the
action's new state and the audit record. One report from the web or the API
(`progress.log_progress`) and many from an import (`progress_import`) are planned by it and
stored by `write`; the seed and demo loaders insert their histories through `insert_rows` and
take the same state rule (`standing_state`), as do a milestone's reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from tracker.domain.permissions import Actor
from tracker.domain.values import jsonable
from tracker.extensions import db
from tracker.models import Action, AuditEvent, IndicatorValue, ProgressUpdate
from tracker.schemas.reports import ProgressReport
from tracker.services.report_rules import check_correction, check_date, check_report

CHUNK = 900  # values per IN (...): under every SQLite build's limit of bound parameters

# An action's current state: its status, percent complete and last reported date.
State = tuple[str | None, int | None, date | None]
NO_STATE: State = (None, None, None)


def chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


@dataclass
class Target:
    """An action as the ledger weighs it: its current state and the updates known of it."""

    id: int
    ref: str
    city_id: int
    plan_started_on: date | None
    status: str | None
    percent: int | None
    last_reported_on: date | None
    updates: list[Entry] = field(default_factory=list)
    changed: bool = False

    @property
    def state(self) -> State:
        return (self.status, self.percent, self.last_reported_on)


@dataclass(eq=False)
class Entry:
    """A stored update, or one about to be stored (`new`, `id` None until written)."""

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
    corrects: Entry | None = None
    corrected_by: Entry | None = None
    original: Entry | None = None
    corrects_id_stored: int | None = None
    new: bool = False
    order: tuple[int, int] = (0, 0)  # where it stands: stored (0, id), new (1, position)

    @property
    def corrects_id(self) -> int | None:
        return self.corrects.id if self.corrects is not None else self.corrects_id_stored

    @property
    def place(self) -> tuple[int, int]:
        """Ordering by coalesce(original_id, id): a correction stands at its original's place."""
        return (self.original or self).order

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


def effective(entry: Entry) -> Entry:
    """The entry that stands for `entry` now: itself, or the last correction of its chain."""
    while entry.corrected_by is not None:
        entry = entry.corrected_by
    return entry


def standing_state(entries: Iterable[Entry]) -> State:
    """The state rule: the latest reported date among the effective updates, and of that date
    the one that stands last (a correction at its original's place) decides."""
    standing = [u for u in entries if u.corrected_by is None]
    latest = max(standing, key=lambda u: (u.reported_on, u.place), default=None)
    return (latest.status, latest.percent, latest.reported_on) if latest else NO_STATE


def check(target: Target, report: ProgressReport, corrected: Entry | None, today: date) -> date:
    """Refuse a report that breaks a rule, in the words every door uses; return its date (a
    correction keeps the date of the update it corrects)."""
    check_report(report)
    if corrected is None:
        return check_date(report.reported_on or today, target.plan_started_on, today)
    by = corrected.corrected_by
    check_correction(
        belongs=corrected.action_id == target.id,
        corrected_by=(by.id or by.external_id) if by is not None else None,
        kept_on=corrected.reported_on,
        reported_on=report.reported_on,
    )
    return corrected.reported_on


@dataclass(eq=False)
class Planned:
    """What one report does: the row to insert, the action's state after it, the audit."""

    target: Target
    entry: Entry
    state: State
    before: dict[str, Any]
    after: dict[str, Any]


def plan(
    target: Target,
    report: ProgressReport,
    *,
    reported_on: date,
    corrected: Entry | None,
    external_id: str | None,
    order: tuple[int, int],
    confirmed: bool = False,
) -> Planned:
    """Decide what a checked report does to `target`, reading and changing nothing: a new
    report on the latest date (or later) decides the state; an earlier one leaves it; a
    correction may change any, so every standing update is weighed with it in its place."""
    entry = Entry(
        id=None,
        action_id=target.id,
        reported_on=reported_on,
        status=report.status,
        percent=report.percent_complete,
        note=(report.note or "").strip() or None,
        evidence_url=report.evidence_url,
        indicator_id=report.indicator_id,
        value=report.indicator_value,
        external_id=external_id,
        corrects=corrected,
        original=(corrected.original or corrected) if corrected else None,
        new=True,
        order=order,
    )
    if corrected is not None:
        state = standing_state([*(u for u in target.updates if u is not corrected), entry])
    elif target.last_reported_on is None or reported_on >= target.last_reported_on:
        state = (entry.status, entry.percent, reported_on)
    else:
        state = target.state
    after = {
        "reported_on": reported_on,
        "status": state[0],
        "percent_complete": state[1],
        "note": entry.note,
        "evidence_url": entry.evidence_url,
        "indicator_id": entry.indicator_id,
        "indicator_value": entry.value,
    }
    before = {"status": target.status, "percent_complete": target.percent}
    planned = Planned(target, entry, state, before, after)
    if confirmed:  # the person confirmed a value the plausibility check questioned
        planned.after["indicator_value_confirmed"] = True
    return planned


def take_in(planned: Planned) -> None:
    """Let the reports after this one see it (the rows of one import, in file order)."""
    entry, target = planned.entry, planned.target
    if entry.corrects is not None:
        entry.corrects.corrected_by = entry
    target.updates.append(entry)
    if target.state != planned.state:
        target.status, target.percent, target.last_reported_on = planned.state
        target.changed = True


# Reading what reports are weighed against --------------------------------------------------

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


def stored_rows(where: sa.ColumnElement[bool]) -> dict[int, tuple[Any, ...]]:
    """The stored updates `where` selects, as plain rows of COLUMNS, by id."""
    return {r[0]: tuple(r) for r in db.session.execute(sa.select(*COLUMNS).where(where))}


def entries(rows: Iterable[tuple[Any, ...]]) -> dict[int, Entry]:
    """Stored rows (of COLUMNS) as entries, linked to each other where both are here."""
    found = list(rows)
    by_id = {
        r[0]: Entry(
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
        for r in found
    }
    for r in found:
        entry = by_id[r[0]]
        if r[10] in by_id:
            entry.corrects = by_id[r[10]]
            by_id[r[10]].corrected_by = entry
        if r[11] in by_id:
            entry.original = by_id[r[11]]
    return by_id


def refresh_states(action_ids: Iterable[int]) -> None:
    """Bring these actions' current state up to date from their stored updates, by the state
    rule (the seed and demo loaders, which state whole histories)."""
    for chunk in chunks(set(action_ids)):
        known = entries(stored_rows(ProgressUpdate.action_id.in_(chunk)).values())
        for action in db.session.scalars(sa.select(Action).where(Action.id.in_(chunk))):
            state = standing_state(u for u in known.values() if u.action_id == action.id)
            if (action.status, action.percent_complete, action.last_reported_on) != state:
                action.status, action.percent_complete, action.last_reported_on = state
    db.session.flush()


# Writing ---------------------------------------------------------------------------------


def insert_rows(rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert progress rows (of actions or milestones) and return their ids, in order."""
    if not rows:
        return []
    return list(
        db.session.scalars(
            sa.insert(ProgressUpdate).returning(ProgressUpdate.id, sort_by_parameter_order=True),
            list(rows),
        ).all()
    )


def write(actor: Actor, planned: Sequence[Planned]) -> None:
    """Store the planned updates (each taken in), their indicator values, the actions' current
    state and one audit event per update, in a few bulk statements (the caller commits)."""
    if not planned:
        return
    updates = [p.entry for p in planned]
    ids = insert_rows(
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
                "corrects_id": u.corrects.id if u.corrects and not u.corrects.new else None,
                "original_id": u.original.id if u.original and not u.original.new else None,
            }
            for u in updates
        ]
    )
    for update, new_id in zip(updates, ids, strict=True):
        update.id = new_id
    _link_within(updates)
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
    _store_states({p.target.id: p.target for p in planned})
    db.session.execute(sa.insert(AuditEvent), [_audit_row(actor, p) for p in planned])
    # The ORM's copies of these actions and updates (if any are loaded) are out of date now.
    db.session.expire_all()


def _link_within(updates: list[Entry]) -> None:
    """Corrections of rows stored by this same write: their links, now that those have ids."""
    linked = [
        {"b_id": u.id, "b_corrects": u.corrects.id, "b_original": u.original.id}  # type: ignore[union-attr]
        for u in updates
        if (u.corrects and u.corrects.new) or (u.original and u.original.new)
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


def _store_states(targets: dict[int, Target]) -> None:
    actions = sa.table(
        "actions",
        sa.column("id"),
        sa.column("status"),
        sa.column("percent_complete"),
        sa.column("last_reported_on"),
        sa.column("version"),
    )
    changed = [t for t in targets.values() if t.changed]
    if changed:
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
                dict(zip(("b_id", "b_status", "b_percent", "b_day"), (t.id, *t.state), strict=True))
                for t in changed
            ],
        )


def _audit_row(actor: Actor, p: Planned) -> dict[str, Any]:
    after = dict(p.after)
    confirmed = after.pop("indicator_value_confirmed", None)
    after = {
        "update_id": p.entry.id,
        **after,
        "corrects_id": p.entry.corrects.id if p.entry.corrects else None,
    } | ({"indicator_value_confirmed": True} if confirmed else {})
    return {
        "user_id": actor.id,
        "actor": actor.email,
        "verb": "progress.correct" if p.entry.corrects else "progress.log",
        "entity_type": "action",
        "entity_id": str(p.target.id),
        "city_id": p.target.city_id,
        "before": {k: jsonable(v) for k, v in p.before.items()},
        "after": {k: jsonable(v) for k, v in after.items()},
    }
