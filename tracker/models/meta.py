"""Records about the data rather than of the programme."""

from __future__ import annotations

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
