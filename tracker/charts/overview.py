"""The overview's figures: deals and actions per status, progress by sector, quiet reporting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from tracker.charts.axes import count_axis, row_height
from tracker.charts.axes import row_names as wrapped_rows
from tracker.charts.base import (
    COLOURS,
    MOST_ROWS,
    STATUS_PATTERNS,
    Figure,
    empty,
    figure,
    plain,
    trace,
)
from tracker.charts.marks import five_number_box, marker_line
from tracker.vocabulary import averaged, label, status_label

LGD_COLOURS = ["#d6dde2", "#cfe3da", "#7fb8a4", "#2f8f6b", "#0b6e4f"]


def lgd_status(counts: Sequence[tuple[str, int]]) -> Figure:
    """Local Green Deals per status, one bar each, in the order a deal moves through them
    (top to bottom), each labelled with its count."""
    if not any(count for _status, count in counts):
        return empty(_("No Local Green Deal recorded yet."))
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
    return figure(
        [
            trace(
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
        return empty(_("No action has a sector yet."))
    return figure(
        [
            trace(
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


def actions_by_status(counts: Sequence[tuple[str, int]]) -> Figure:
    """Actions per latest reported status, one bar each in the statuses' order."""
    if not any(count for _s, count in counts):
        return empty(_("No action recorded yet."))
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
        return empty(_("No city has reported yet."))
    labels = wrapped_rows([r.label for r in reported], plain)
    return figure(
        [
            five_number_box(
                labels,
                [r.days for r in reported],
                name=_("days since a city's last update (least, quartiles, most)"),
                marker={"color": COLOURS["late"]},
                line={"color": "#8a2f12"},
                fillcolor="rgba(196,70,27,0.3)",
            ),
        ],
        height=max(30, row_height(labels)) * len(reported) + 150,
        showlegend=True,
        shapes=[
            marker_line(stale_days, _("stale after %(days)s days", days=stale_days), "#1f5f99")
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
