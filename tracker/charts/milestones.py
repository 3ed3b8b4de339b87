"""Milestone figures: the programme's timeline, a plan's milestones over time and the summary
of slips per step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _

from tracker.charts.axes import BELOW, count_axis, date_range, row_height
from tracker.charts.axes import row_names as wrapped_rows
from tracker.charts.base import COLOURS, MOST_ROWS, Figure, empty, figure, plain, trace
from tracker.charts.marks import five_number_box, marker_line
from tracker.domain.timeline import TimelineItem
from tracker.vocabulary import label

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
        return empty(_("No phases or milestones yet."))
    ended = ends_on is not None and today > ends_on + AFTER_THE_END
    data = []
    for phase in phases:
        end = phase.end or (ends_on if ended and ends_on else today)
        data.append(
            trace(
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
            trace(
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
    return figure(
        data,
        height=260,
        showlegend=True,
        barmode="overlay",
        xaxis=xaxis,
        yaxis={"automargin": True, "type": "category"},
        legend=BELOW,
        shapes=[] if ended else [marker_line(today.isoformat(), _("today"))],
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
        return empty(_("No milestone matches these filters."))
    rows = rows[:MOST_ROWS]
    labels = wrapped_rows([r.label for r in rows], plain)
    whole = {name: plain(r.label) for name, r in zip(labels, rows, strict=True)}
    moved = [(label_, r) for label_, r in zip(labels, rows, strict=True) if r.end > r.start]
    data = []
    if moved:
        data.append(
            trace(
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
            trace(
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
    return figure(
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
        shapes=[marker_line(today.isoformat(), _("today"))],
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
        return empty(_("No milestone matches these filters."))
    rows = rows[:MOST_ROWS]
    # Whole names, wrapped, on the axis.
    labels = wrapped_rows([r.label for r in rows], plain)
    data = [
        trace(
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
        five_number_box(
            labels,
            [r.slips for r in rows],
            xaxis="x2",
            name=_("slip in days (least, quartiles, most)"),
            marker={"color": COLOURS["due_soon"]},
            line={"color": "#8a6d00"},
            fillcolor="rgba(224,176,0,0.35)",
        )
    )
    return figure(
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
