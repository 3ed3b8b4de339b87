"""What an action's page shows besides its forms: its percent complete over time, as a figure
and as a table (also served as CSV), corrections told apart from the reports they replaced."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker import charts
from tracker.models import ProgressUpdate
from tracker.pages import Page
from tracker.tables import Table


def percent_points(history: list[ProgressUpdate]) -> list[charts.PercentPoint]:
    """The percent complete of each report, oldest first."""
    return [
        charts.PercentPoint(
            u.reported_on,
            u.percent_complete,
            "corrected" if u.corrected_by else "correction" if u.corrects_id else "report",
        )
        for u in reversed(history)
        if u.percent_complete is not None
    ]


def action_page(history: list[ProgressUpdate]) -> Page:
    points = percent_points(history)
    table = Table(
        "percent",
        _l("Percent complete over time"),
        [_l("reported on"), _l("percent complete"), _l("kind")],
        [[p.reported_on, p.percent, p.kind] for p in points],
    )
    figure = charts.to_json(charts.percent_over_time(points)) if points else None
    return Page([table], {"history": history, "percent_figure": figure, "percent_table": table})
