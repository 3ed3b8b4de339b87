"""Mentorship figures: the network of mentors and mentees, and each mentor's load."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from tracker.charts.axes import BELOW, count_axis, row_height
from tracker.charts.axes import row_names as wrapped_rows
from tracker.charts.base import COLOURS, MOST_ROWS, Figure, empty, figure, plain, trace


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    role: str  # mentor or mentee
    state: str = "fine"  # a mentee's: needs_help, watch or fine


# What a mentee's colour says, in the legend's order.
MENTEE_STATES = {
    "needs_help": ("late", lambda: _("needs help (over the threshold)")),
    "watch": ("due_soon", lambda: _("something late or quiet, under the threshold")),
    "fine": ("done", lambda: _("nothing late or quiet")),
}


def network_layout(
    mentors: Sequence[Node], mentees: Sequence[Node], edges: Sequence[tuple[str, str]]
) -> dict[str, tuple[float, float]]:
    """Mentors on an inner circle, each mentee on an outer arc beside its first mentor (the
    first pair that names it), so each mentor's group reads as one cluster; no layout engine.
    Coordinates are rounded to 4 places."""
    count = len(mentors)
    positions: dict[str, tuple[float, float]] = {}
    angles: dict[str, float] = {}
    for i, node in enumerate(mentors):
        angle = math.pi / 2 - 2 * math.pi * i / max(count, 1)
        angles[node.key] = angle
        radius = 0.0 if count == 1 else 1.3
        positions[node.key] = (radius * math.cos(angle), radius * math.sin(angle))
    groups: dict[str, list[str]] = {m.key: [] for m in mentors}
    placed: set[str] = set()
    known = {n.key for n in mentees}
    for mentor, mentee in edges:
        if mentee in known and mentee not in placed and mentor in groups:
            groups[mentor].append(mentee)
            placed.add(mentee)
    width = 2 * math.pi / max(count, 1) * 0.8  # the arc a mentor's group may take
    for mentor, group in groups.items():
        step = min(width / max(len(group), 1), 0.4)
        for j, mentee in enumerate(group):
            angle = angles[mentor] + (j - (len(group) - 1) / 2) * step
            radius = (2.0 if j % 2 == 0 else 2.35) if count > 1 else 1.0
            positions[mentee] = (radius * math.cos(angle), radius * math.sin(angle))
    return {k: (round(x, 4), round(y, 4)) for k, (x, y) in positions.items()}


def inward(x: float, y: float) -> str:
    """Where a mentor's name goes: towards the middle, away from its mentees."""
    if abs(y) >= abs(x):
        return "bottom center" if y > 0 else "top center"
    return "middle left" if x > 0 else "middle right"


def _nodes(
    nodes: Sequence[Node], positions: dict[str, tuple[float, float]], **style: Any
) -> dict[str, Any]:
    """Cities drawn at their places in the network, named by their labels."""
    return trace(
        "scatter",
        x=[positions[n.key][0] for n in nodes],
        y=[positions[n.key][1] for n in nodes],
        text=[plain(n.label) for n in nodes],
        **style,
    )


def mentorship_network(
    mentors: Sequence[Node], mentees: Sequence[Node], edges: Sequence[tuple[str, str]]
) -> Figure:
    """The current pairs as a network: mentor cities (squares, named) on an inner circle, their
    mentees (circles) around them coloured by their state, a line for each pair."""
    if not edges:
        return empty(_("No mentorship recorded yet."))
    positions = network_layout(mentors, mentees, edges)
    line_x: list[float | None] = []
    line_y: list[float | None] = []
    for mentor, mentee in edges:
        if mentor in positions and mentee in positions:
            (x0, y0), (x1, y1) = positions[mentor], positions[mentee]
            line_x += [x0, x1, None]
            line_y += [y0, y1, None]
    data = [
        trace(
            "scatter",
            x=line_x,
            y=line_y,
            mode="lines",
            name=_("mentorship (line)"),
            line={"color": "#b9c4cb", "width": 1},
            hoverinfo="skip",
        )
    ]
    for state, (colour, words) in MENTEE_STATES.items():
        chosen = [n for n in mentees if n.state == state]
        data.append(
            _nodes(
                chosen,
                positions,
                mode="markers",
                name=_("mentee: %(state)s", state=words()),
                marker={
                    "size": 11,
                    "color": COLOURS[colour],
                    "line": {"color": "#fff", "width": 1},
                },
                hovertemplate="%{text}<br>" + words() + "<extra></extra>",
            )
        )
    data.append(
        _nodes(
            mentors,
            positions,
            mode="markers+text",
            name=_("mentor city (named)"),
            textposition=[inward(*positions[n.key]) for n in mentors],
            textfont={"size": 11, "color": "#1d2a33"},
            marker={
                "size": 16,
                "symbol": "square",
                "color": "#cfe0f0",
                "line": {"color": COLOURS["mentor"], "width": 2},
            },
            hovertemplate="%{text}<extra></extra>",
        )
    )
    return figure(
        data,
        height=560,
        showlegend=True,
        xaxis={"visible": False, "range": [-2.6, 2.6]},
        yaxis={"visible": False, "range": [-2.6, 2.6], "scaleanchor": "x"},
        legend=BELOW,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )


@dataclass(frozen=True)
class Load:
    mentor: str
    mentees: int
    needing_help: int


def load_order(row: Load) -> tuple[int, int, str]:
    """Mentors with the most mentees needing help first, then the most mentees, then by name."""
    return (-row.needing_help, -row.mentees, row.mentor.lower())


def mentor_load(rows: Sequence[Load]) -> Figure:
    """Each mentor's current mentees, split into those that need help and the others; the
    mentors with the most mentees needing help first (load_order), at most MOST_ROWS."""
    if not rows:
        return empty(_("No mentorship recorded yet."))
    rows = sorted(rows, key=load_order)[:MOST_ROWS]
    labels = wrapped_rows([r.mentor for r in rows], plain)
    axis: dict[str, Any] = {
        "title": {"text": _("current mentees"), "standoff": 6},
        **count_axis(max(r.mentees for r in rows)),
    }
    return figure(
        [
            trace(
                "bar",
                y=labels,
                x=[r.needing_help for r in rows],
                orientation="h",
                name=_("mentees needing help"),
                marker={"color": COLOURS["late"]},
                hovertemplate="%{y}: %{x}<extra></extra>",
            ),
            trace(
                "bar",
                y=labels,
                x=[r.mentees - r.needing_help for r in rows],
                orientation="h",
                name=_("other mentees"),
                marker={"color": COLOURS["on_time"]},
                hovertemplate="%{y}: %{x}<extra></extra>",
            ),
        ],
        height=row_height(labels) * len(rows) + 130,
        showlegend=True,
        barmode="stack",
        xaxis={**axis, "automargin": True},
        yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "traceorder": "normal"},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
