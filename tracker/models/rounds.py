"""Reporting rounds: a period the cities report for by a due date, and the snapshot frozen when
a lead closes it.

A report belongs to the round that was open for its city when it was entered (its
`created_at` between the round's `opened_at` and `closed_at`): a report entered after the close
falls in the next round, whatever date it is for, and never into a frozen snapshot. The
database refuses to change or delete a closed round or any snapshot item (migration 0019), as
it does for the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, get_args

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, UTCDateTime, one_of, utcnow
from tracker.models.city import City
from tracker.models.user import User

SnapshotKind = Literal["action", "indicator", "milestone"]
SNAPSHOT_KINDS: tuple[str, ...] = get_args(SnapshotKind)


class ReportingRound(Base):
    """A reporting round: its name, the period reported on, the due date reminders use, and
    its cities. Open until a lead closes it; then its snapshot and content hash are fixed."""

    __tablename__ = "reporting_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    due_on: Mapped[date]
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The SHA-256 (hex) of the snapshot's items in their canonical order (services/rounds.py).
    content_hash: Mapped[str | None] = mapped_column(sa.String(64))

    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    cities: Mapped[list[City]] = relationship(
        secondary="reporting_round_cities", order_by="City.name"
    )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    __table_args__ = (
        sa.CheckConstraint("period_start <= period_end", name="period_in_order"),
        sa.CheckConstraint("(closed_at IS NULL) = (content_hash IS NULL)", name="closed_with_hash"),
    )


class RoundCity(Base):
    """A city that reports in a round."""

    __tablename__ = "reporting_round_cities"

    round_id: Mapped[int] = mapped_column(sa.ForeignKey("reporting_rounds.id"), primary_key=True)
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id"), primary_key=True, index=True)


class SnapshotItem(Base):
    """One action, indicator or milestone of a city as it stood when its round closed:
    `content` is canonical JSON (sorted keys, no spaces), hashed as stored."""

    __tablename__ = "round_snapshot_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("reporting_rounds.id"))
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id"))
    kind: Mapped[str] = mapped_column(sa.String(10))
    item_id: Mapped[int]
    content: Mapped[str] = mapped_column(sa.Text)

    __table_args__ = (
        one_of("kind", SNAPSHOT_KINDS),
        sa.UniqueConstraint("round_id", "kind", "item_id"),
        sa.Index("ix_round_snapshot_items_city", "round_id", "city_id", "kind", "item_id"),
    )
