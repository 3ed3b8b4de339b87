"""What the milestones page shows, made from the service's rows: the table (also served as
CSV) and the Gantt chart."""

from __future__ import annotations

from datetime import date

from tracker import charts
from tracker.services.milestones import MilestoneRow
from tracker.tables import Table
from tracker.vocabulary import label


def milestones_table(rows: list[MilestoneRow]) -> Table:
    return Table(
        "milestones",
        "Milestones",
        ["milestone", "owner", "first planned", "due", "done", "state", "moves", "demo"],
        [
            [
                r.milestone.title,
                r.city_name or "programme",
                r.milestone.planned_on,
                r.milestone.due_on,
                r.milestone.completed_on,
                label(r.state),
                r.moves,
                "demo" if r.milestone.is_demo else "",
            ]
            for r in rows
        ],
    )


def gantt(rows: list[MilestoneRow], today: date) -> charts.Figure:
    return charts.milestone_gantt(
        [
            charts.GanttRow(
                f"{r.city_name or 'Programme'}: {r.milestone.title}"[:80],
                min(r.milestone.planned_on, r.milestone.due_on),
                max(r.milestone.due_on, r.milestone.ends_on or r.milestone.due_on),
                r.state,
            )
            for r in rows
        ],
        today,
    )
