"""Axes and legends that never mislead and never collide: counts in whole numbers, row names
wrapped rather than cut, and a legend under the whole figure, where plotly makes room for it
below the axis titles at any width."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

# A horizontal legend under the figure (measured from its container, not from the plot area,
# so that it never lands on an axis title or tick labels).
BELOW: dict[str, Any] = {
    "orientation": "h",
    "yref": "container",
    "y": 0,
    "yanchor": "bottom",
    "x": 0,
}
# Row names wrap onto lines of about this many characters.
LINE = 24


def count_axis(most: float) -> dict[str, Any]:
    """An axis of counts: from zero, whole numbers only, at most about six ticks."""
    step = 1
    while most / step > 6:
        for factor in (2, 5 / 2, 2):  # 1, 2, 5, 10, 20, 50, ...
            step = int(step * factor)
            if most / step <= 6:
                break
    return {"rangemode": "tozero", "tickformat": ",d", "dtick": max(step, 1)}


def wrapped(text: str, width: int = LINE) -> str:
    """Text broken onto lines of about `width` characters at its spaces (Plotly's <br>); a
    word is never cut."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def row_names(texts: Sequence[str], escape: Any, width: int = LINE) -> list[str]:
    """Each row's whole name as a category axis shows it: escaped, wrapped and distinct (two
    rows of one name would share one line of the axis, so a second one is numbered)."""
    names: list[str] = []
    for text in texts:
        name, n = wrapped(escape(text), width), 1
        while name in names:
            n += 1
            name = wrapped(f"{escape(text)} ({n})", width)
        names.append(name)
    return names


def row_height(names: Sequence[str], least: int = 26) -> int:
    """The height a row needs for the longest of these wrapped names."""
    lines = max((name.count("<br>") + 1 for name in names), default=1)
    return max(least, 15 * lines + 10)


# A time axis spans at least this long, so that one date or a few close ones read as dates on
# a calendar, never as hours and milliseconds.
SHORTEST_SPAN = timedelta(days=120)


def date_range(dates: Sequence[date]) -> list[str]:
    """A date axis' range around `dates`: a twentieth of their span either side, widened
    around their middle to at least SHORTEST_SPAN."""
    first, last = min(dates), max(dates)
    span = max(last - first, SHORTEST_SPAN)
    middle = first + (last - first) / 2
    half = span / 2 + span / 20
    return [(middle - half).isoformat(), (middle + half).isoformat()]
