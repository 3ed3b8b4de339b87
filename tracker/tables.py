"""Tables of figures: the accessible twin of every chart, shown as HTML and downloadable as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Response, abort, request

# A cell starting with one of these is read as a formula (or a DDE command) by some spreadsheet
# program: the OWASP list, with the full-width forms some programs also accept, and leading
# blanks that some programs skip before a formula.
FORMULA_STARTS = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\n",
    " ",
    "|",
    "%",
    "\uff1d",
    "\uff0b",
    "\uff0d",
    "\uff20",
)


@dataclass
class Table:
    """A table of figures. Its title and column names may be given lazily translated (_l):
    they are written out in the language of the request that builds the table."""

    name: str
    title: Any
    columns: Sequence[Any]
    rows: Sequence[Sequence[Any]]

    def __post_init__(self) -> None:
        self.title = str(self.title)
        self.columns = [str(column) for column in self.columns]


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading quote; so does text that starts
    with a quote, so that `restore` gives back exactly what was exported. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, "'")):
        return "'" + value
    return value


def restore(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def csv_response(table: Table) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if cell is None else neutralise(cell) for cell in row])
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{table.name}.csv"'},
    )


def csv_requested() -> bool:
    return request.args.get("format") == "csv"


def csv_of(tables: Sequence[Table]) -> Response:
    """The CSV of the table the request names (?format=csv&table=NAME), or 404."""
    wanted = request.args.get("table")
    for table in tables:
        if table.name == wanted:
            return csv_response(table)
    abort(404)
