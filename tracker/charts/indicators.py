"""An action's figures: an indicator's values against baseline and target, percent over time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _

from tracker.charts.axes import BELOW, date_range
from tracker.charts.base import Figure, empty, figure, plain, trace


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
        return empty(_("No value of %(name)s yet.", name=plain(name)), height=160)
    dates = [d for d, _v in values] + ([target_on] if target_on else [])
    x_range = date_range(dates)
    data = [
        trace(
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
                trace(
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
    return figure(
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
        return empty(_("No percent complete reported yet."), height=160)
    counted = sorted((p for p in points if p.kind != "corrected"), key=lambda p: p.reported_on)
    x_range = date_range([p.reported_on for p in points])
    data = [
        trace(
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
                trace(
                    "scatter",
                    x=[p.reported_on.isoformat() for p in chosen],
                    y=[p.percent for p in chosen],
                    mode="markers",
                    marker=marker,
                    name=name,
                    hovertemplate="%{x|%Y-%m-%d}: %{y} %<extra>" + name + "</extra>",
                )
            )
    return figure(
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
