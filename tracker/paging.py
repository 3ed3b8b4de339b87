"""Long lists shown a page at a time, so that no dashboard grows with the programme: the page's
rows, where they stand in the whole ("51 to 100 of 1,071"), and links to the others. The CSV of
a list still holds every row."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import abort, request
from flask_babel import gettext as _

T = TypeVar("T")
PAGE_SIZE = 100
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def page_number() -> int:
    """The page the address asks for (1 if none); anything but a whole number from 1 is a 400."""
    text = request.args.get("page", "1")
    if not re.fullmatch(r"[0-9]{1,7}", text) or not 1 <= int(text) <= MAX_PAGE:
        abort(400, _("The page must be a whole number from 1."))
    return int(text)


def paged(rows: Sequence[T], number: int, size: int = PAGE_SIZE) -> Page[T]:
    start = (number - 1) * size
    return checked(Page(list(rows[start : start + size]), number, size, len(rows)))


def checked(page: Page[T]) -> Page[T]:
    """A page past the last one is not found (the first page of an empty list is shown)."""
    if page.number > page.pages:
        abort(
            404,
            _(
                "There is no page %(number)s: the list has %(pages)s.",
                number=page.number,
                pages=page.pages,
            ),
        )
    return page
