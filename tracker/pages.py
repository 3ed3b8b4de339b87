"""One dashboard shape: each area's present.py builds a Page (its tables and the template's
context) and `serve` sends it as HTML, from the cache under what it varies by, or with
?format=csv as its tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask.typing import ResponseReturnValue

from tracker import cache
from tracker.tables import Table, csv_of, csv_requested


@dataclass
class Page:
    """A dashboard: the tables its CSV holds, and what its template shows."""

    tables: list[Table]
    context: dict[str, Any] = field(default_factory=dict)


# A page's builder: whole=True (its CSV) lists every row, where the HTML shows one page of them.
Builder = Callable[[bool], Page]


def serve(
    template: str,
    build: Builder,
    *,
    vary: Iterable[object] = (),
    layout: str = "_layouts/cached.html",
) -> ResponseReturnValue:
    if csv_requested():
        return csv_of(build(True).tables)
    return cache.render_page(template, lambda: build(False).context, vary=vary, layout=layout)
