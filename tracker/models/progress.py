"""Progress updates: the append-only history that every dashboard charts."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from tracker.models.base import Base, SourcedMixin, UTCDateTime, one_of, utcnow
from tracker.models.plan import ACTION_STATUSES, Action, Indicator
from tracker.models.programme import Milestone

if TYPE_CHECKING:
    from tracker.models.user import User


class ProgressUpdate(SourcedMixin, Base):
    """One report on an action or a milestone. Rows are never edited or deleted: a correction
    is a new row that points at the one it corrects and stands at that update's place in time
    (its reported date and, among reports of that date, its position). An update is effective
    while no correction names it."""

    __tablename__ = "progress_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("actions.id"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(sa.ForeignKey("milestones.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reported_on: Mapped[date]
    status: Mapped[str | None] = mapped_column(sa.String(20))
    percent_complete: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(sa.Text)
    evidence_url: Mapped[str | None] = mapped_column(sa.String(500))
    indicator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("indicators.id"))
    indicator_value: Mapped[float | None]
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("progress_updates.id"))
    # The first update of a chain of corrections; NULL on an update that corrects nothing.
    # Ordering by coalesce(original_id, id) keeps a correction at its original's place.
    original_id: Mapped[int | None] = mapped_column(sa.ForeignKey("progress_updates.id"))
    # The id an imported row carried, so importing the same file again creates nothing.
    external_id: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    # Milestone reports: the due date it was moved to, or the date it was done.
    due_on: Mapped[date | None]
    completed_on: Mapped[date | None]

    action: Mapped[Action | None] = relationship()
    milestone: Mapped[Milestone | None] = relationship()
    author: Mapped[User | None] = relationship()
    indicator: Mapped[Indicator | None] = relationship()
    corrects: Mapped[ProgressUpdate | None] = relationship(
        remote_side=[id], foreign_keys=[corrects_id], back_populates="corrected_by"
    )
    corrected_by: Mapped[ProgressUpdate | None] = relationship(
        foreign_keys=[corrects_id], back_populates="corrects", uselist=False
    )

    @property
    def milestone_event(self) -> str | None:
        """What a report on a milestone did: moved it, marked it done, or reopened it."""
        if self.milestone_id is None:
            return None
        if self.due_on is not None:
            return "move"
        return "done" if self.completed_on is not None else "reopen"

    @property
    def is_effective(self) -> bool:
        return self.corrected_by is None

    @classmethod
    def effective(cls) -> sa.ColumnElement[bool]:
        """True for the updates no correction names (SQL)."""
        correction = _correction_alias()
        return ~sa.select(correction.id).where(correction.corrects_id == cls.id).exists()

    @classmethod
    def entered(cls) -> sa.ColumnElement[bool]:
        """True for the updates someone entered (a person, the API or an import, which names
        each row), not those loaded from the seed files with their history (SQL)."""
        return sa.or_(cls.author_id.is_not(None), cls.external_id.is_not(None))

    @classmethod
    def place(cls) -> sa.ColumnElement[int]:
        """Among updates of the same reported date, the order they stand in (SQL)."""
        return sa.func.coalesce(cls.original_id, cls.id)

    __table_args__ = (
        one_of("status", ACTION_STATUSES),
        sa.CheckConstraint(
            "percent_complete IS NULL OR percent_complete BETWEEN 0 AND 100", name="percent_range"
        ),
        sa.CheckConstraint("(action_id IS NULL) <> (milestone_id IS NULL)", name="one_subject"),
        sa.CheckConstraint(
            "(indicator_id IS NULL) = (indicator_value IS NULL)", name="indicator_value_paired"
        ),
        sa.CheckConstraint(
            "action_id IS NULL OR (due_on IS NULL AND completed_on IS NULL)",
            name="milestone_fields_on_milestones",
        ),
        sa.Index("ix_progress_updates_action_reported", "action_id", "reported_on"),
        # One correction per update: a later one corrects the correction, so the chain stays
        # a line and "the latest effective update" has one answer.
        sa.Index("uq_progress_updates_corrects_id", "corrects_id", unique=True),
    )


@cache
def _correction_alias() -> type[ProgressUpdate]:
    """One alias, made once: a new one per query costs the building of its columns and defeats
    SQLAlchemy's cache of compiled statements."""
    return aliased(ProgressUpdate)
