"""Plotly figures: pure functions, plain data in, a Figure out. No database. Their words go
through Flask-Babel's gettext, so a figure speaks the request's language (English outside one).
Each area's figures live in a module of their own; this package names them all.

Only SVG trace types are used (no WebGL), so the figures draw under a strict
Content-Security-Policy and on machines without a GPU.
"""

from __future__ import annotations

from tracker.charts.axes import date_range
from tracker.charts.base import COLOURS, STATUS_PATTERNS, Figure, plain, to_json
from tracker.charts.cohort import (
    COHORT_CODES,
    cohort_heatmap,
)
from tracker.charts.indicators import (
    PercentPoint,
    indicator_series,
    percent_over_time,
)
from tracker.charts.maps import Place, city_map
from tracker.charts.mentorships import (
    MENTEE_STATES,
    Load,
    Node,
    inward,
    load_order,
    mentor_load,
    mentorship_network,
    network_layout,
)
from tracker.charts.milestones import (
    AFTER_THE_END,
    GanttRow,
    SlipRow,
    milestone_gantt,
    milestone_summary,
    timeline,
)
from tracker.charts.overview import (
    LGD_COLOURS,
    QuietRow,
    actions_by_status,
    lgd_status,
    progress_by_sector,
    quiet_groups,
)
from tracker.domain.timeline import TimelineItem  # what the timeline is drawn from

__all__ = [
    "AFTER_THE_END",
    "COHORT_CODES",
    "COLOURS",
    "LGD_COLOURS",
    "MENTEE_STATES",
    "STATUS_PATTERNS",
    "Figure",
    "GanttRow",
    "Load",
    "Node",
    "PercentPoint",
    "Place",
    "QuietRow",
    "SlipRow",
    "TimelineItem",
    "actions_by_status",
    "city_map",
    "cohort_heatmap",
    "date_range",
    "indicator_series",
    "inward",
    "lgd_status",
    "load_order",
    "mentor_load",
    "mentorship_network",
    "milestone_gantt",
    "milestone_summary",
    "network_layout",
    "percent_over_time",
    "plain",
    "progress_by_sector",
    "quiet_groups",
    "timeline",
    "to_json",
]
