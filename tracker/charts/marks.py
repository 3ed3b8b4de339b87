"""Marks drawn with the data: a dashed line at a date or a threshold, and boxes drawn from
five numbers already computed."""

from __future__ import annotations

from typing import Any

from tracker.charts.base import trace


def marker_line(x: object, name: str, colour: str = "#c4461b") -> dict[str, Any]:
    """A dashed vertical line across the plot (today, a threshold), named in the legend."""
    return {
        "type": "line",
        "x0": x,
        "x1": x,
        "yref": "paper",
        "y0": 0,
        "y1": 1,
        "line": {"color": colour, "dash": "dot", "width": 2},
        "name": name,
        "showlegend": True,
    }


def five_number_box(
    labels: list[str], fives: list[tuple[int, int, int, int, int]], **style: Any
) -> dict[str, Any]:
    """A horizontal box per row from its five numbers (least, quartiles, most), drawn as given
    rather than from the raw values."""
    return trace(
        "box",
        y=labels,
        lowerfence=[f[0] for f in fives],
        q1=[f[1] for f in fives],
        median=[f[2] for f in fives],
        q3=[f[3] for f in fives],
        upperfence=[f[4] for f in fives],
        orientation="h",
        **style,
    )
