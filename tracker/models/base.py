"""Declarative base with a constraint naming convention, so Alembic migrations are deterministic."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


# The largest id either database stores in an INTEGER column (PostgreSQL's is 32-bit).
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


def one_of(column: str, values: Iterable[str], name: str | None = None) -> sa.CheckConstraint:
    """A CHECK constraint that keeps a text column inside its vocabulary (NULL passes)."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=name or f"{column}_allowed")


class SourcedMixin:
    """A record that can carry the address of the source that states it, or be demo data."""

    source_url: Mapped[str | None] = mapped_column(sa.String(500))
    is_demo: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    @classmethod
    def facts(cls, only: bool = True) -> list[sa.ColumnElement[bool]]:
        """The condition that leaves out demo records, when only facts are wanted (else none):
        spread into a query's where()."""
        return [cls.is_demo.is_(False)] if only else []


UTCDateTime = sa.DateTime(timezone=True)
