"""Records about the data rather than of the programme."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base


class DataVersion(Base):
    """One row: a counter that every transaction changing the programme's data raises before
    it commits (tracker/cache.py). Cached dashboards are keyed by it, so a committed write is
    never followed by a page from before it."""

    __tablename__ = "data_versions"
    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger)
    # Drawn anew when the database is replaced by a restore, which may turn the counter back.
    epoch: Mapped[str] = mapped_column(sa.String(32))


class ActionTotal(Base):
    """Actions counted per sector, demo or not, status and published status (no sector: 0, no
    status: ''): how many, how many report a percent and its sum, as reported and as approved.
    Kept by the database's triggers on actions in the write's own transaction (migration 0021),
    never written by the app; the overview reads these rows instead of every action."""

    __tablename__ = "action_totals"

    sector_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    is_demo: Mapped[bool] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    published_status: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    actions: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
    reporting: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
    percent_sum: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
    published_reporting: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
    published_percent_sum: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")

    @classmethod
    def state_columns(cls, approved: bool) -> tuple[Mapped[str], Mapped[int], Mapped[int]]:
        """Status, how many report a percent and its sum: as reported, or as approved."""
        if approved:
            return cls.published_status, cls.published_reporting, cls.published_percent_sum
        return cls.status, cls.reporting, cls.percent_sum


# The last report of an open action never reported, in `OpenActionReport` (no NULL in a key).
NEVER_REPORTED = date(1, 1, 1)


class MilestoneTotal(Base):
    """Milestones counted per deal step (none: ''), due date, first planned date and done or
    not; kept by the database's triggers on milestones (migration 0022). Whether one is late
    depends on the day, so the dates are kept, not the states: a day's summary reads a row per
    date, not every milestone."""

    __tablename__ = "milestone_totals"

    lgd_step: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    due_on: Mapped[date] = mapped_column(primary_key=True)
    planned_on: Mapped[date] = mapped_column(primary_key=True)
    done: Mapped[bool] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")


class OpenActionReport(Base):
    """Open actions (not done or cancelled) counted per last report (never reported:
    `NEVER_REPORTED`); kept by the database's triggers on actions (migration 0022). Those gone
    stale are the rows before a cutoff."""

    __tablename__ = "open_action_reports"

    last_reported_on: Mapped[date] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")


class OverdueDay(Base):
    """One row: the day `CityOverdue` counts up to. `flask prune` moves it to today."""

    __tablename__ = "overdue_day"
    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]


class CityOverdue(Base):
    """Each city's plans' milestones not completed and due before `OverdueDay.day`: deal steps
    and others. Kept by the database's triggers on milestones and plans (migration 0024), never
    written by the app; a day's figures add those due between the stored day and it
    (`queries.overdue`), a day's worth when `flask prune` runs."""

    __tablename__ = "city_overdue"

    city_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    steps: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
    others: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
