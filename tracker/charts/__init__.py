"""Plotly figures: pure functions, plain data in, a Figure out. No database. Their words go
through Flask-Babel's gettext, so a figure speaks the request's language (English outside one).

Only SVG trace types are used (no WebGL), so the figures draw under a strict
Content-Security-Policy and on machines without a GPU.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _

from tracker.charts.axes import BELOW, count_axis, row_height, wrapped
from tracker.charts.axes import row_names as wrapped_rows
from tracker.vocabulary import averaged, label, status_label

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


def _trace(kind: str, **properties: Any) -> dict[str, Any]:
    return {"type": kind, **properties}


def _figure(data: list[dict[str, Any]], height: int = 360, **layout: Any) -> Figure:
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


def _marker_line(x: object, name: str, colour: str = "#c4461b") -> dict[str, Any]:
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


def _empty(message: str, height: int = 200) -> Figure:
    return _figure(
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


@dataclass(frozen=True)
class TimelineItem:
    label: str
    start: date
    end: date | None
    state: str  # a milestone state, or "phase"


# How far a finished programme's timeline reaches past its end.
AFTER_THE_END = timedelta(days=45)


def timeline(
    phases: Sequence[TimelineItem],
    milestones: Sequence[TimelineItem],
    today: date,
    ends_on: date | None = None,
) -> Figure:
    """Phases as bars and milestones as points on one time axis, with today marked. Once the
    programme has ended (`ends_on` before today) the axis ends shortly after it, with no today
    line: the chart shows the programme, not the empty months since."""
    if not phases and not milestones:
        return _empty(_("No phases or milestones yet."))
    ended = ends_on is not None and today > ends_on + AFTER_THE_END
    data = []
    for phase in phases:
        end = phase.end or (ends_on if ended and ends_on else today)
        data.append(
            _trace(
                "bar",
                y=[_("Phases")],
                x=[(end - phase.start).days * 86_400_000],
                base=[phase.start.isoformat()],
                orientation="h",
                name=plain(phase.label),
                text=[plain(phase.label)],
                textposition="inside",
                insidetextanchor="middle",
                marker={"color": "#cfe3da", "line": {"color": "#0b6e4f", "width": 1}},
                hovertemplate=f"{plain(phase.label)}<br>%{{base|%Y-%m-%d}}<extra></extra>",
            )
        )
    by_state: dict[str, list[TimelineItem]] = {}
    for item in milestones:
        by_state.setdefault(item.state, []).append(item)
    for state, items in by_state.items():
        data.append(
            _trace(
                "scatter",
                x=[i.start.isoformat() for i in items],
                y=[_("Milestones")] * len(items),
                mode="markers",
                name=label(state),
                text=[plain(i.label) for i in items],
                marker={"size": 13, "color": COLOURS.get(state, "#555"), "symbol": "diamond"},
                hovertemplate="%{text}<br>%{x|%Y-%m-%d}<extra></extra>",
            )
        )
    xaxis: dict[str, Any] = {"type": "date", "title": {"text": _("date")}, "automargin": True}
    if ended and ends_on is not None:
        first = min([p.start for p in phases] + [m.start for m in milestones])
        xaxis["range"] = [
            (first - timedelta(days=30)).isoformat(),
            (ends_on + AFTER_THE_END).isoformat(),
        ]
    return _figure(
        data,
        height=260,
        showlegend=True,
        barmode="overlay",
        xaxis=xaxis,
        yaxis={"automargin": True, "type": "category"},
        legend=BELOW,
        shapes=[] if ended else [_marker_line(today.isoformat(), _("today"))],
    )


LGD_COLOURS = ["#d6dde2", "#cfe3da", "#7fb8a4", "#2f8f6b", "#0b6e4f"]


def lgd_status(counts: Sequence[tuple[str, int]]) -> Figure:
    """Local Green Deals per status, one bar each, in the order a deal moves through them
    (top to bottom), each labelled with its count."""
    if not any(count for _status, count in counts):
        return _empty(_("No Local Green Deal recorded yet."))
    return _horizontal_bars(
        [label(status).capitalize() for status, _count in counts],
        [count for _status, count in counts],
        (LGD_COLOURS * 2)[: len(counts)],
        _("Local Green Deals"),
    )


def _horizontal_bars(
    labels: Sequence[str],
    values: Sequence[int],
    colours: Sequence[str],
    axis_title: str,
    patterns: Sequence[str] | None = None,
) -> Figure:
    """One bar per category, named on its own line of the y axis (names never run together)
    and labelled with its value outside the bar."""
    return _figure(
        [
            _trace(
                "bar",
                y=[plain(text) for text in labels],
                x=list(values),
                orientation="h",
                marker={
                    "color": list(colours),
                    "line": {"color": "#8a8f94", "width": 1},
                    **(
                        {"pattern": {"shape": list(patterns), "fgcolor": "#1d2a33"}}
                        if patterns
                        else {}
                    ),
                },
                text=[str(v) for v in values],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{x}<extra></extra>",
            )
        ],
        height=34 * len(labels) + 90,
        xaxis={
            "title": {"text": axis_title, "standoff": 6},
            **count_axis(max(values)),
            "range": [0, max(values) * 1.15 or 1],
            "automargin": True,
        },
        yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
        margin={"l": 10, "r": 30, "t": 10, "b": 10},
    )


def progress_by_sector(rows: Sequence[tuple[str, int, int, float | None]]) -> Figure:
    """Per sector (name, actions, reporting actions, their average percent complete): the
    average as a bar, and beside it what it averages and how many actions have not reported."""
    rows = [r for r in rows if r[1]]
    if not rows:
        return _empty(_("No action has a sector yet."))
    return _figure(
        [
            _trace(
                "bar",
                x=[round(avg or 0, 1) for _name, _n, _r, avg in rows],
                y=[plain(name) for name, _n, _r, _avg in rows],
                orientation="h",
                text=[averaged(avg, reporting, n) for _name, n, reporting, avg in rows],
                textposition="outside",
                cliponaxis=False,
                marker={"color": "#0b6e4f"},
                hovertemplate="%{y}: %{text}<extra></extra>",
            )
        ],
        height=max(200, 45 * len(rows) + 60),
        xaxis={
            "range": [0, 100],
            "title": {
                "text": _("average percent complete of the reporting actions"),
                "standoff": 6,
            },
            "automargin": True,
        },
        yaxis={"autorange": "reversed", "automargin": True},
    )


COHORT_CODES = {"not_started": 0, "on_time": 1, "late": 2, "done": 3}


def cohort_heatmap(
    rows: Sequence[str], columns: Sequence[str], states: Sequence[Sequence[str]]
) -> Figure:
    """Cities (rows) x shared deal steps (columns): done, on time, late or not started."""
    if not rows:
        return _empty(_("No core city has a Local Green Deal step recorded yet."))
    z = [[COHORT_CODES[s] for s in row] for row in states]
    # The state is written in each cell as well as coloured: never by colour alone.
    text = [[COHORT_MARKS[s] for s in row] for row in states]
    words = [[label(s) for s in row] for row in states]
    scale = [
        [0.0, COLOURS["not_started"]],
        [0.25, COLOURS["not_started"]],
        [0.25, COLOURS["on_time"]],
        [0.5, COLOURS["on_time"]],
        [0.5, COLOURS["late"]],
        [0.75, COLOURS["late"]],
        [0.75, COLOURS["done"]],
        [1.0, COLOURS["done"]],
    ]
    return _figure(
        [
            _trace(
                "heatmap",
                z=z,
                x=[plain(c) for c in columns],
                y=[plain(r) for r in rows],
                text=text,
                customdata=words,
                texttemplate="%{text}",
                textfont={"size": 12},
                zmin=-0.5,
                zmax=3.5,
                colorscale=scale,
                xgap=2,
                ygap=2,
                hovertemplate="%{y}<br>%{x}: %{customdata}<extra></extra>",
                colorbar={
                    "tickvals": [0, 1, 2, 3],
                    "ticktext": [
                        f"{COHORT_MARKS[state]} {label(state)}"
                        for state in ("not_started", "on_time", "late", "done")
                    ],
                    "thickness": 12,
                },
            )
        ],
        height=max(260, 22 * len(rows) + 120),
        # The steps' names wrapped onto short lines, so five fit side by side.
        xaxis={
            "side": "top",
            "type": "category",
            "automargin": True,
            "tickvals": [plain(c) for c in columns],
            "ticktext": [wrapped(plain(c), 14) for c in columns],
        },
        yaxis={"autorange": "reversed", "dtick": 1, "automargin": True, "type": "category"},
    )


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


def mentorship_network(
    mentors: Sequence[Node], mentees: Sequence[Node], edges: Sequence[tuple[str, str]]
) -> Figure:
    """The current pairs as a network: mentor cities (squares, named) on an inner circle, their
    mentees (circles) around them coloured by their state, a line for each pair."""
    if not edges:
        return _empty(_("No mentorship recorded yet."))
    positions = network_layout(mentors, mentees, edges)
    line_x: list[float | None] = []
    line_y: list[float | None] = []
    for mentor, mentee in edges:
        if mentor in positions and mentee in positions:
            (x0, y0), (x1, y1) = positions[mentor], positions[mentee]
            line_x += [x0, x1, None]
            line_y += [y0, y1, None]
    data = [
        _trace(
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
            _trace(
                "scatter",
                x=[positions[n.key][0] for n in chosen],
                y=[positions[n.key][1] for n in chosen],
                mode="markers",
                name=_("mentee: %(state)s", state=words()),
                text=[plain(n.label) for n in chosen],
                marker={
                    "size": 11,
                    "color": COLOURS[colour],
                    "line": {"color": "#fff", "width": 1},
                },
                hovertemplate="%{text}<br>" + words() + "<extra></extra>",
            )
        )
    data.append(
        _trace(
            "scatter",
            x=[positions[n.key][0] for n in mentors],
            y=[positions[n.key][1] for n in mentors],
            mode="markers+text",
            name=_("mentor city (named)"),
            text=[plain(n.label) for n in mentors],
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
    return _figure(
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
        return _empty(_("No mentorship recorded yet."))
    rows = sorted(rows, key=load_order)[:MOST_ROWS]
    labels = wrapped_rows([r.mentor for r in rows], plain)
    axis: dict[str, Any] = {
        "title": {"text": _("current mentees"), "standoff": 6},
        **count_axis(max(r.mentees for r in rows)),
    }
    return _figure(
        [
            _trace(
                "bar",
                y=labels,
                x=[r.needing_help for r in rows],
                orientation="h",
                name=_("mentees needing help"),
                marker={"color": COLOURS["late"]},
                hovertemplate="%{y}: %{x}<extra></extra>",
            ),
            _trace(
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


@dataclass(frozen=True)
class GanttRow:
    label: str
    start: date
    end: date
    state: str


def milestone_gantt(rows: Sequence[GanttRow], today: date) -> Figure:
    """One row per milestone (at most MOST_ROWS): a marker at its due date coloured by state,
    and, when it moved, a bar from its first planned date to that due date."""
    if not rows:
        return _empty(_("No milestone matches these filters."))
    rows = rows[:MOST_ROWS]
    labels = wrapped_rows([r.label for r in rows], plain)
    whole = {name: plain(r.label) for name, r in zip(labels, rows, strict=True)}
    moved = [(label_, r) for label_, r in zip(labels, rows, strict=True) if r.end > r.start]
    data = []
    if moved:
        data.append(
            _trace(
                "bar",
                y=[label_ for label_, _r in moved],
                x=[(r.end - r.start).days * 86_400_000 for _l, r in moved],
                base=[r.start.isoformat() for _l, r in moved],
                orientation="h",
                customdata=[whole[label_] for label_, _r in moved],
                name=_("moved: from the first planned date to the due date"),
                marker={"color": "rgba(224,176,0,0.45)", "line": {"color": "#8a6d00", "width": 1}},
                hovertemplate="%{customdata}<br>%{base|%Y-%m-%d} \u2013 %{x}<extra></extra>",
            )
        )
    for state in dict.fromkeys(r.state for r in rows):
        chosen = [(label_, r) for label_, r in zip(labels, rows, strict=True) if r.state == state]
        data.append(
            _trace(
                "scatter",
                y=[label_ for label_, _r in chosen],
                x=[r.end.isoformat() for _l, r in chosen],
                mode="markers",
                customdata=[whole[label_] for label_, _r in chosen],
                name=_("due: %(state)s", state=label(state)),
                marker={"size": 11, "symbol": "diamond", "color": COLOURS.get(state, "#555")},
                hovertemplate="%{customdata}<br>%{x|%Y-%m-%d}<extra></extra>",
            )
        )
    return _figure(
        data,
        height=row_height(labels) * len(rows) + 140,
        showlegend=True,
        xaxis={
            "type": "date",
            "range": date_range([d for r in rows for d in (r.start, r.end)] + [today]),
            "title": {"text": _("date")},
            "automargin": True,
        },
        yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        shapes=[_marker_line(today.isoformat(), _("today"))],
    )


@dataclass(frozen=True)
class SlipRow:
    """One row of the milestone summary: a shared deal step or a programme milestone."""

    label: str
    done: int
    on_time: int
    late: int
    # Least, lower quartile, median, upper quartile and largest slip, in days.
    slips: tuple[int, int, int, int, int]


def milestone_summary(rows: Sequence[SlipRow]) -> Figure:
    """Left: how many of each row's milestones are done, on time and late (stacked). Right: how
    far their due dates slipped from the first planned date (a box: least, quartiles, most).
    One row per step or programme milestone, at most MOST_ROWS."""
    if not rows:
        return _empty(_("No milestone matches these filters."))
    rows = rows[:MOST_ROWS]
    # Whole names, wrapped, on the axis.
    labels = wrapped_rows([r.label for r in rows], plain)
    data = [
        _trace(
            "bar",
            y=labels,
            x=[getattr(r, state) for r in rows],
            orientation="h",
            name=label(state),
            legendgroup="state",
            customdata=[plain(r.label) for r in rows],
            marker={"color": COLOURS[state]},
            hovertemplate="%{customdata}<br>" + label(state) + ": %{x}<extra></extra>",
        )
        for state in ("done", "on_time", "late")
    ]
    data.append(
        _trace(
            "box",
            y=labels,
            lowerfence=[r.slips[0] for r in rows],
            q1=[r.slips[1] for r in rows],
            median=[r.slips[2] for r in rows],
            q3=[r.slips[3] for r in rows],
            upperfence=[r.slips[4] for r in rows],
            orientation="h",
            xaxis="x2",
            name=_("slip in days (least, quartiles, most)"),
            marker={"color": COLOURS["due_soon"]},
            line={"color": "#8a6d00"},
            fillcolor="rgba(224,176,0,0.35)",
        )
    )
    return _figure(
        data,
        height=row_height(labels) * len(rows) + 150,
        showlegend=True,
        barmode="stack",
        xaxis={
            "domain": [0, 0.55],
            "title": {"text": _("milestones"), "standoff": 6},
            **count_axis(max((r.done + r.on_time + r.late for r in rows), default=1)),
            "automargin": True,
        },
        xaxis2={
            "domain": [0.62, 1],
            "anchor": "y",
            "title": {"text": _("slip (days)"), "standoff": 6},
            "rangemode": "tozero",  # a slip reads against no slip at all
            "tickformat": ",d",
            "zeroline": True,
            "zerolinecolor": "#8a8f94",
            "automargin": True,
        },
        yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "traceorder": "normal"},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )


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


def indicator_series(
    name: str,
    unit: str,
    values: Sequence[tuple[date, float]],
    baseline: float | None,
    target: float | None,
    target_on: date | None = None,
) -> Figure:
    """An indicator's values over time against its baseline and target. One value is one
    marker on a calendar of some months; the value axis starts at zero for figures that
    cannot be negative, so a single 200 does not read as a range of 199 to 201."""
    if not values:
        return _empty(_("No value of %(name)s yet.", name=plain(name)), height=160)
    dates = [d for d, _v in values] + ([target_on] if target_on else [])
    x_range = date_range(dates)
    data = [
        _trace(
            "scatter",
            x=[d.isoformat() for d, _v in values],
            y=[v for _d, v in values],
            mode="markers" if len(values) == 1 else "lines+markers",
            name=_("measured value"),
            line={"color": "#0b6e4f"},
            marker={"size": 9, "color": "#0b6e4f"},
            hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y}} {plain(unit)}<extra></extra>",
        )
    ]
    for line_name, level, colour in (
        (_("baseline"), baseline, "#8a8f94"),
        (_("target"), target, "#1f5f99"),
    ):
        if level is not None:
            data.append(
                _trace(
                    "scatter",
                    x=x_range,
                    y=[level, level],
                    mode="lines",
                    name=line_name,
                    line={"color": colour, "dash": "dash"},
                    hovertemplate=f"{line_name}: {level} {plain(unit)}<extra></extra>",
                )
            )
    # From zero, whatever the values: a difference is read against the whole, never blown up.
    y_axis: dict[str, Any] = {
        "title": {"text": plain(unit)},
        "automargin": True,
        "rangemode": "tozero",
    }
    return _figure(
        data,
        height=280,
        showlegend=True,
        yaxis=y_axis,
        xaxis={
            "type": "date",
            "range": x_range,
            "title": {"text": _("date measured")},
            "automargin": True,
            "ticklabelstandoff": 8,  # below the value axis' "0", never on it
        },
        legend=BELOW,
    )


@dataclass(frozen=True)
class PercentPoint:
    reported_on: date
    percent: int
    kind: str  # report, correction, or corrected (a report a correction replaced)


def percent_over_time(points: Sequence[PercentPoint]) -> Figure:
    """An action's percent complete as reported over time: the reports that count joined by a
    line, corrections marked as such, and the reports they replaced shown apart, hollow."""
    if not points:
        return _empty(_("No percent complete reported yet."), height=160)
    counted = sorted((p for p in points if p.kind != "corrected"), key=lambda p: p.reported_on)
    x_range = date_range([p.reported_on for p in points])
    data = [
        _trace(
            "scatter",
            x=[p.reported_on.isoformat() for p in counted],
            y=[p.percent for p in counted],
            mode="lines+markers" if len(counted) > 1 else "markers",
            line={"color": "#0b6e4f", "shape": "hv"},
            marker={"size": 8, "color": "#0b6e4f"},
            name=_("percent complete, as reported"),
            hovertemplate="%{x|%Y-%m-%d}: %{y} %<extra></extra>",
        )
    ]
    for kind, name, marker in (
        (
            "correction",
            _("a correction (counts instead of the report it corrects)"),
            {"size": 13, "symbol": "diamond-open", "color": "#1f5f99", "line": {"width": 2}},
        ),
        (
            "corrected",
            _("a corrected report (no longer counts)"),
            {"size": 10, "symbol": "x-thin-open", "color": "#8a8f94", "line": {"width": 2}},
        ),
    ):
        chosen = [p for p in points if p.kind == kind]
        if chosen:
            data.append(
                _trace(
                    "scatter",
                    x=[p.reported_on.isoformat() for p in chosen],
                    y=[p.percent for p in chosen],
                    mode="markers",
                    marker=marker,
                    name=name,
                    hovertemplate="%{x|%Y-%m-%d}: %{y} %<extra>" + name + "</extra>",
                )
            )
    return _figure(
        data,
        height=300,
        showlegend=True,
        yaxis={
            "range": [0, 105],
            "title": {"text": _("percent complete (%)")},
            "automargin": True,
        },
        xaxis={
            "type": "date",
            "range": x_range,
            "title": {"text": _("date reported")},
            "automargin": True,
            "ticklabelstandoff": 8,
        },
        legend=BELOW,
    )


def actions_by_status(counts: Sequence[tuple[str, int]]) -> Figure:
    """Actions per latest reported status, one bar each in the statuses' order."""
    if not any(count for _s, count in counts):
        return _empty(_("No action recorded yet."))
    return _horizontal_bars(
        [
            status_label(status) if status != "no_report" else _("no report yet")
            for status, _c in counts
        ],
        [count for _s, count in counts],
        [COLOURS.get(status, "#d6dde2") for status, _c in counts],
        _("actions"),
        [STATUS_PATTERNS.get(status, "") for status, _c in counts],
    )


@dataclass(frozen=True)
class QuietRow:
    label: str
    cities: int
    never: int
    # Least, lower quartile, median, upper quartile and most days since the last update.
    days: tuple[int, int, int, int, int]


def quiet_groups(rows: Sequence[QuietRow], stale_days: int) -> Figure:
    """Days since each city's last update, per mentor group: a box (least, quartiles, most)
    per group, the quietest first, with the staleness window marked."""
    reported = [r for r in rows if r.cities > r.never][:MOST_ROWS]
    if not reported:
        return _empty(_("No city has reported yet."))
    labels = wrapped_rows([r.label for r in reported], plain)
    return _figure(
        [
            _trace(
                "box",
                y=labels,
                lowerfence=[r.days[0] for r in reported],
                q1=[r.days[1] for r in reported],
                median=[r.days[2] for r in reported],
                q3=[r.days[3] for r in reported],
                upperfence=[r.days[4] for r in reported],
                orientation="h",
                name=_("days since a city's last update (least, quartiles, most)"),
                marker={"color": COLOURS["late"]},
                line={"color": "#8a2f12"},
                fillcolor="rgba(196,70,27,0.3)",
            ),
        ],
        height=max(30, row_height(labels)) * len(reported) + 150,
        showlegend=True,
        shapes=[
            _marker_line(stale_days, _("stale after %(days)s days", days=stale_days), "#1f5f99")
        ],
        xaxis={
            "title": {"text": _("days since the last update"), "standoff": 6},
            "rangemode": "tozero",
            "tickformat": ",d",
            "automargin": True,
        },
        yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )


# The map lives in a module of its own; it uses the helpers above.
from tracker.charts.maps import Place, city_map  # noqa: E402

__all__ = ["Place", "city_map"]
