"""The cohort's figure: each city's Local Green Deal steps as a grid."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _

from tracker.charts.axes import wrapped
from tracker.charts.base import COHORT_MARKS, COLOURS, Figure, empty, figure, plain, trace
from tracker.vocabulary import label

COHORT_CODES = {"not_started": 0, "on_time": 1, "late": 2, "done": 3}


def cohort_heatmap(
    rows: Sequence[str], columns: Sequence[str], states: Sequence[Sequence[str]]
) -> Figure:
    """Cities (rows) x shared deal steps (columns): done, on time, late or not started."""
    if not rows:
        return empty(_("No core city has a Local Green Deal step recorded yet."))
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
    return figure(
        [
            trace(
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
