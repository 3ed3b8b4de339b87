"""What the milestones page shows, made from the service's rows: the table (also served as
CSV) and the Gantt chart."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from tracker import charts
from tracker.models import Milestone
from tracker.pages import Page
from tracker.paging import PAGE_SIZE, checked
from tracker.paging import Page as Listed
from tracker.queries import milestones as milestone_queries
from tracker.queries.milestones import MilestoneFilter, MilestoneRow, SummaryRow
from tracker.tables import Table
from tracker.vocabulary import label, titled


def milestones_table(rows: list[MilestoneRow]) -> Table:
    return Table(
        "milestones",
        _l("Milestones"),
        [
            _l("milestone"),
            _l("owner"),
            _l("first planned"),
            _l("due"),
            _l("slip (days)"),
            _l("done"),
            _l("state"),
            _l("moves"),
            _l("demo"),
        ],
        [
            [
                titled(r.milestone),
                r.city_name or "programme",
                r.milestone.planned_on,
                r.milestone.due_on,
                r.slip,
                r.milestone.completed_on,
                label(r.state),
                r.moves,
                "demo" if r.milestone.is_demo else "",
            ]
            for r in rows
        ],
    )


def summary_table(rows: list[SummaryRow]) -> Table:
    return Table(
        "summary",
        _l("Steps and programme milestones"),
        [
            _l("step or milestone"),
            _l("done"),
            _l("on time"),
            _l("late"),
            _l("moved"),
            _l("least slip (days)"),
            _l("median slip (days)"),
            _l("largest slip (days)"),
        ],
        [[r.title, r.done, r.on_time, r.late, r.moved, *r.slip_quantiles()[::2]] for r in rows],
    )


def summary_figure(rows: list[SummaryRow]) -> charts.Figure:
    return charts.milestone_summary(
        [charts.SlipRow(str(r.title), r.done, r.on_time, r.late, r.slip_quantiles()) for r in rows]
    )


def milestones_of_city(rows: list[tuple[Milestone, str]]) -> Table:
    return Table(
        "city-milestones",
        _l("Milestones"),
        [
            _l("milestone"),
            _l("first planned"),
            _l("due"),
            _l("slip (days)"),
            _l("done"),
            _l("state"),
        ],
        [
            [
                titled(m),
                m.planned_on,
                m.due_on,
                (m.due_on - m.planned_on).days,
                m.completed_on,
                label(state),
            ]
            for m, state in rows
        ],
    )


def gantt(rows: list[tuple[Milestone, str]], today: date) -> charts.Figure:
    """A city's milestones, each a bar from its first planned date to its due date."""
    return charts.milestone_gantt(
        [
            charts.GanttRow(
                titled(m),
                min(m.planned_on, m.due_on),
                max(m.due_on, m.ends_on or m.due_on),
                state,
            )
            for m, state in rows
        ],
        today,
    )


def index_page(
    filters: MilestoneFilter,
    today: date,
    soon: int,
    number: int,
    *,
    whole: bool,
    drill: Callable[[SummaryRow], str],
    **context: Any,
) -> Page:
    """The milestones, filtered: the summary of slips per step and the list a page at a time;
    the whole list in the CSV."""
    summary = milestone_queries.summary(filters, today, soon)
    summary_of = summary_table(summary)
    if whole:
        rows, _total = milestone_queries.listing(filters, today, soon, limit=None)
        return Page([milestones_table(rows), summary_of])
    rows, total = milestone_queries.listing(
        filters, today, soon, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
    )
    table = milestones_table(rows)
    total = total or 0
    return Page(
        [table, summary_of],
        {
            "filters": filters,
            "rows": rows,
            "page": checked(Listed(rows, number, PAGE_SIZE, total)),
            "total": total,
            "summary": summary,
            "table": table,
            "summary_table": summary_of,
            "figure": charts.to_json(summary_figure(summary)),
            "drill": {r.key: drill(r) for r in summary},
            **context,
        },
    )
