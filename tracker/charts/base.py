"""What every figure shares: colours, the font, the figure's frame, safe text and JSON."""

from __future__ import annotations

import json
from typing import Any

COLOURS = {
    "done": "#0b6e4f",
    "on_time": "#7fb8a4",
    "upcoming": "#7fb8a4",
    "due_soon": "#e0b000",
    "late": "#c4461b",
    "overdue": "#c4461b",
    "not_recorded": "#8a8f94",
    "not_started": "#d6dde2",
    "mentor": "#1f5f99",
    "core": "#0b6e4f",
    "observer": "#8a8f94",
    "on_track": "#2a78b5",
    "at_risk": "#e0b000",
    "delayed": "#c4461b",
    "cancelled": "#8a8f94",
    "none": "#d6dde2",
    "no_report": "#f7f9fa",
}
# Each action status drawn with a hatching of its own too, so that no two read alike in grey.
STATUS_PATTERNS = {
    "not_started": ".",
    "on_track": "/",
    "at_risk": "x",
    "delayed": "-",
    "done": "",
    "cancelled": "|",
    "no_report": "+",
}
# What a cohort cell says besides its colour.
COHORT_MARKS = {"done": "\u2713", "on_time": "\u25cb", "late": "!", "not_started": "\u00b7"}
# A figure as plotly.js takes it: {"data": [...], "layout": {...}}, built as plain data in
# the request path (plotly's graph objects validate every property and cost most of a page);
# the tests check every figure against plotly's schema instead.
Figure = dict[str, Any]
# No chart grows past this many rows: a longer list is a table, a page at a time.
MOST_ROWS = 40
FONT = {"family": "system-ui, sans-serif", "size": 13, "color": "#1d2a33"}


def plain(text: str) -> str:
    """User-supplied text as Plotly draws it: its label markup (<a>, <b>, <br>, entities) and
    hover-template fields (%{...}) shown as the characters they are, never interpreted."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("%", "&#37;")
    )


def trace(kind: str, **properties: Any) -> dict[str, Any]:
    return {"type": kind, **properties}


def figure(data: list[dict[str, Any]], height: int = 360, **layout: Any) -> Figure:
    return {
        "data": data,
        "layout": {
            "height": height,
            "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
            "font": FONT,
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
            "showlegend": bool(layout.pop("showlegend", False)),
            **layout,
        },
    }


def empty(message: str, height: int = 200) -> Figure:
    return figure(
        [],
        height=height,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[{"text": message, "showarrow": False, "font": {"size": 15}}],
    )


def to_json(figure: Figure) -> str:
    """A figure as the JSON its page's data block carries: compact, and safe inside a
    <script> element (no "<", ">" or "&" left to close it or open another)."""
    return (
        json.dumps(figure, separators=(",", ":"), ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
