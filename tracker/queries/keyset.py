"""Keyset paging: a page of a list starts after a given record, in the list's own order, so a
client walking a long list reads each page at the cost of the first (no rows skipped) and the
list is not counted. A list's select says its order with `keyed`; `page` reads a page of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa

from tracker.extensions import db

OPTION = "tracker_keyset"  # the execution option that carries a select's order
T = TypeVar("T")


def keyed(select: sa.Select[Any], *order: Any) -> sa.Select[Any]:
    """`select` in `order` (ascending; the last column the record's unique id), marked so that
    `page` can start a page after any of its records."""
    return select.order_by(*order).execution_options(**{OPTION: order})


def page(
    select: sa.Select[Any], *, limit: int, offset: int = 0, after: int | None = None
) -> tuple[list[Any], int | None]:
    """Up to `limit` records of a `keyed` select, `offset` of them skipped, starting after the
    record whose id is `after` (none: from the first); and the id to start the next page after
    (None on the last page). A record the filters do not keep (or none at all) has nothing
    after it: an empty page."""
    order = select.get_execution_options()[OPTION]
    if after is not None:
        key = db.session.execute(
            select.with_only_columns(*order).where(order[-1] == after).order_by(None).limit(1)
        ).first()
        if key is None:
            return [], None
        select = select.where(sa.tuple_(*order) > sa.tuple_(*key))
    if offset:
        select = select.offset(offset)
    rows = list(db.session.scalars(select.limit(limit + 1)).unique())
    return cut(rows, limit, lambda row: getattr(row, order[-1].key))


def following(order: Any, after: int) -> sa.ColumnElement[bool] | None:
    """What comes after the record whose id is `after`, in `order` (columns of one table, the
    last its id); None when there is no such record."""
    key = db.session.execute(sa.select(*order).where(order[-1] == after)).first()
    return None if key is None else sa.tuple_(*order) > sa.tuple_(*key)


def cut(rows: list[T], limit: int, ident: Callable[[T], int]) -> tuple[list[T], int | None]:
    """The first `limit` of `rows` (read `limit + 1` to know whether more follow), and the id to
    start the next page after (None when no more follow)."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, ident(rows[-1])
