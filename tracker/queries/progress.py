"""An action's progress read: its history of updates, corrections included, and the update that
decides its current state."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import ProgressUpdate


def latest_effective_update(action_id: int) -> ProgressUpdate | None:
    """The update that decides the current state: among the effective ones, the latest
    reported date, and among updates of that date the one that stands last."""
    return db.session.scalars(
        sa.select(ProgressUpdate)
        .where(ProgressUpdate.action_id == action_id, ProgressUpdate.effective())
        .order_by(ProgressUpdate.reported_on.desc(), ProgressUpdate.place().desc())
        .limit(1)
    ).first()


def history_options() -> tuple[Any, ...]:
    """What a history list shows of each update, loaded in a fixed number of queries."""
    return (
        selectinload(ProgressUpdate.author),
        selectinload(ProgressUpdate.indicator),
        selectinload(ProgressUpdate.corrects),
        selectinload(ProgressUpdate.corrected_by).selectinload(ProgressUpdate.author),
    )


def history(action_id: int) -> list[ProgressUpdate]:
    """Every update of an action, corrected ones too, newest place first."""
    return histories([action_id])[action_id]


def histories(action_ids: list[int]) -> dict[int, list[ProgressUpdate]]:
    """Every update of these actions, corrected ones too, newest place first, in one query."""
    result: dict[int, list[ProgressUpdate]] = {i: [] for i in action_ids}
    if action_ids:
        for update in db.session.scalars(
            sa.select(ProgressUpdate)
            .where(ProgressUpdate.action_id.in_(action_ids))
            .options(*history_options())
            .order_by(
                ProgressUpdate.reported_on.desc(),
                ProgressUpdate.place().desc(),
                ProgressUpdate.id.desc(),
            )
        ):
            result[update.action_id or 0].append(update)  # the query keeps action updates
    return result
