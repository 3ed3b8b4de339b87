"""The published state: what the approved reports alone say of each action and milestone.

The public view shows these, and signed-in pages when asked for approved data only. Reports
entered while review is required count once approved; every other report was approved on
entry. The rule is the ledger's own (`ledger.standing_state`), applied to the approved reports:
of a chain of corrections, the last approved one stands, at the chain's place in time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Action, ProgressUpdate, Review
from tracker.models.review import unapproved
from tracker.services import ledger


def approved_updates() -> sa.ColumnElement[bool]:
    """True for progress rows that are approved (SQL)."""
    return ProgressUpdate.id.not_in(unapproved(Review.update_id))


def approved_entries(rows: Iterable[tuple[Any, ...]]) -> list[ledger.Entry]:
    """Approved rows (of ledger.COLUMNS) as entries: each chain of corrections linked through
    its approved rows only, each standing at its chain's place."""
    chains: dict[int, list[ledger.Entry]] = {}
    for row in sorted(rows, key=lambda r: r[0]):
        entry = ledger.Entry(
            id=row[0], action_id=row[1], reported_on=row[2], status=row[3], percent=row[4]
        )
        root = row[11] or row[0]  # original_id, else its own id
        entry.order = (0, root)
        chain = chains.setdefault(root, [])
        if chain:
            chain[-1].corrected_by = entry
        chain.append(entry)
    return [entry for chain in chains.values() for entry in chain]


PUBLISHED = ("published_status", "published_percent", "published_reported_on")


def refresh_actions(action_ids: Iterable[int]) -> None:
    """Bring these actions' published state up to date from their approved reports (the
    action's version is not touched: nobody edited it)."""
    table = sa.table("actions", sa.column("id"), *(sa.column(name) for name in PUBLISHED))
    for chunk in ledger.chunks(set(action_ids)):
        by_action: dict[int, list[ledger.Entry]] = {}
        rows = ledger.stored_rows(sa.and_(ProgressUpdate.action_id.in_(chunk), approved_updates()))
        for entry in approved_entries(rows.values()):
            by_action.setdefault(entry.action_id or 0, []).append(entry)
        shown = sa.select(Action.id, *(getattr(Action, name) for name in PUBLISHED))
        for action_id, *stored in db.session.execute(shown.where(Action.id.in_(chunk))):
            state = ledger.standing_state(by_action.get(action_id, []))
            if tuple(stored) != state:
                db.session.execute(
                    sa.update(table)
                    .where(table.c.id == action_id)
                    .values(dict(zip(PUBLISHED, state, strict=True)))
                )


def refresh_milestones(milestone_ids: Iterable[int]) -> None:
    """Bring these milestones' published due date and completion up to date: each from the
    latest approved report that sets it (a move; done or reopened), else as it stood. (The
    milestone's version is not touched: nobody edited it.)"""
    table = sa.table(
        "milestones",
        sa.column("id"),
        sa.column("published_due_on"),
        sa.column("published_completed_on"),
    )
    for chunk in ledger.chunks(set(milestone_ids)):
        latest: dict[tuple[int, str], dict[str, Any]] = {}
        for report in db.session.scalars(
            sa.select(ProgressUpdate)
            .where(ProgressUpdate.milestone_id.in_(chunk), approved_updates())
            .order_by(ProgressUpdate.id)
        ):
            assert report.milestone_id is not None
            if report.milestone_event == "move":
                latest[(report.milestone_id, "due")] = {"published_due_on": report.due_on}
            else:
                latest[(report.milestone_id, "done")] = {
                    "published_completed_on": report.completed_on
                }
        for (milestone_id, _field), values in latest.items():
            db.session.execute(sa.update(table).where(table.c.id == milestone_id).values(**values))
