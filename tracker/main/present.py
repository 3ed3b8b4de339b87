"""What the overview and the cohort pages show, made from the services' rows: their tables
(also served as CSV) and their figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker import charts, paging
from tracker.models import Programme
from tracker.models.programme import LGD_STEPS
from tracker.pages import Page
from tracker.queries import EVERYTHING, Shown, overview, quiet, round_compare
from tracker.queries import cohort as cohort_service
from tracker.queries import review as review_queries
from tracker.queries import rounds as rounds_read
from tracker.tables import Table
from tracker.vocabulary import label, named


def quiet_rows(groups: list[quiet.QuietGroup]) -> list[charts.QuietRow]:
    return [
        charts.QuietRow(
            _("cities with no mentor") if g.name == quiet.NO_MENTOR else g.name,
            g.cities,
            g.never,
            g.five,
        )
        for g in groups
    ]


@dataclass(frozen=True)
class Overview:
    """What the overview is made of, read once for its tables and its figures."""

    phases: list[Any]
    milestones: list[Any]
    funnel: list[tuple[str, int]]
    statuses: list[tuple[str, int]]
    sectors: list[overview.SectorProgress]
    quiet: list[charts.QuietRow]


def overview_tables(o: Overview) -> list[Table]:
    return [
        Table(
            "timeline",
            _l("Phases and milestones"),
            [_l("kind"), _l("title"), _l("date"), _l("until"), _l("state")],
            [["phase", p.label, p.start, p.end, ""] for p in o.phases]
            + [["milestone", m.label, m.start, m.end, label(m.state)] for m in o.milestones],
        ),
        Table(
            "lgd-status",
            _l("Local Green Deals by status"),
            [_l("status"), _l("deals")],
            [[label(s), n] for s, n in o.funnel],
        ),
        Table(
            "action-status",
            _l("Actions by status"),
            [_l("status"), _l("actions")],
            [[label(s), n] for s, n in o.statuses],
        ),
        Table(
            "sector-progress",
            _l("Progress by sector"),
            [
                _l("sector"),
                _l("actions"),
                _l("reporting actions"),
                _l("average percent of the reporting actions"),
            ],
            [
                [
                    named(s.sector, s.name),
                    s.actions,
                    s.reporting,
                    round(s.average, 1) if s.average is not None else None,
                ]
                for s in o.sectors
            ],
        ),
        Table(
            "quiet",
            _l("Days since the last update, per mentor group"),
            [
                _l("mentor group"),
                _l("cities"),
                _l("never updated"),
                _l("fewest days"),
                _l("median days"),
                _l("most days"),
            ],
            [[r.label, r.cities, r.never, r.days[0], r.days[2], r.days[4]] for r in o.quiet],
        ),
    ]


def overview_charts(
    o: Overview, today: date, stale_days: int, ends_on: date | None = None
) -> dict[str, str]:
    figures: dict[str, charts.Figure] = {
        "quiet": charts.quiet_groups(o.quiet, stale_days),
        "timeline": charts.timeline(o.phases, o.milestones, today, ends_on),
        "lgd-status": charts.lgd_status(o.funnel),
        "action-status": charts.actions_by_status(o.statuses),
        "sector-progress": charts.progress_by_sector(sector_rows(o.sectors)),
    }
    return {name: charts.to_json(figure) for name, figure in figures.items()}


def sector_rows(
    sectors: list[overview.SectorProgress],
) -> list[tuple[str, int, int, float | None]]:
    return [(named(s.sector, s.name), s.actions, s.reporting, s.average) for s in sectors]


def step_titles(steps: tuple[str, ...]) -> list[str]:
    return [str(cohort_service.STEP_TITLES[s]) for s in steps]


def cohort_table(rows: list[Any], steps: list[str]) -> Table:
    return Table(
        "cohort",
        _l("Core cities by Local Green Deal step"),
        [
            _l("city"),
            _l("country"),
            _l("mentor"),
            *steps,
            _l("late steps"),
            _l("days overdue"),
            _l("actions"),
            _l("reporting actions"),
            _l("action progress (average percent of the reporting actions)"),
        ],
        [
            [
                r.name,
                r.country,
                r.mentors,
                *[label(s) for s in r.states],
                r.late,
                r.overdue_days or None,
                r.actions,
                r.reporting,
                round(r.progress, 1) if r.progress is not None else None,
            ]
            for r in rows
        ],
    )


def cohort_figure(rows: list[Any], steps: list[str]) -> charts.Figure:
    labels = [f"{r.name} ({r.country})" for r in rows]
    return charts.cohort_heatmap(labels, steps, [r.states for r in rows])


def overview_page(
    programme: Programme,
    today: date,
    soon: int,
    stale: int,
    shown: Shown = EVERYTHING,
) -> Page:
    """The overview: the programme's figures, timeline, deals and actions by status, progress
    by sector; signed in, also where reporting has gone quiet and what needs attention. With
    `facts_only` (the public view) only facts and published status."""
    facts_only = shown.facts_only
    figures = overview.headline(programme, today, soon, shown)
    phases, milestones = overview.timeline(programme, today, soon, shown)
    read = Overview(
        phases,
        milestones,
        list(figures.lgds_by_status.items()),
        overview.actions_by_status(shown),
        overview.sector_progress(shown),
        [] if facts_only else quiet_rows(quiet.quiet_groups(programme, today)),
    )
    made = overview_tables(read)
    drawn = overview_charts(read, today, stale, programme.ends_on)
    if facts_only:  # no update is published, so nor is the time since one
        made = [t for t in made if t.name != "quiet"]
        drawn.pop("quiet")
    context: dict[str, Any] = {
        "figures": figures,
        "today": today,
        "tables": {t.name: t for t in made},
        "charts": drawn,
        "stale_days": stale,
    }
    if not facts_only:
        table = round_figures_table()
        made.append(table)
        context["round_figures"] = table
        context["attention"] = overview.needs_attention(today, stale)
        context["review_waiting"] = review_queries.count_waiting()
        context["approved"] = shown.approved
    return Page(made, context)


ROUNDS_SHOWN = 6  # the latest rounds' figures on the overview


def round_figures_table() -> Table:
    """The programme's own KPIs per reporting round, the latest first (round_compare.figures)."""
    rows = []
    for round_ in rounds_read.rounds()[:ROUNDS_SHOWN]:
        found = round_compare.figures(round_)
        rows.append(
            [
                round_.name + (" (" + str(_l("includes demo data")) + ")" if found.demo else ""),
                len(round_.cities),
                found.earmarked_eur,
                found.leveraged_eur,
                found.partners,
                found.collaborations,
            ]
        )
    return Table(
        "round_figures",
        _l("Programme figures per reporting round"),
        [
            _l("Round"),
            _l("Cities"),
            _l("Money earmarked (EUR)"),
            _l("Money leveraged (EUR)"),
            _l("Partners engaged"),
            _l("City-to-city collaborations"),
        ],
        rows,
    )


def cohort_page(
    programme: Programme,
    today: date,
    filters: cohort_service.CohortFilter,
    shown: Shown,
    number: int,
    *,
    whole: bool,
    **context: Any,
) -> Page:
    """The core cities by deal step: those the filters keep, a page at a time, all of them in
    the CSV."""
    steps = step_titles(LGD_STEPS)
    if whole:
        rows, _counts = cohort_service.listing(programme, today, filters, shown)
        return Page([cohort_table(rows, steps)])
    window = ((number - 1) * paging.PAGE_SIZE, paging.PAGE_SIZE)
    rows, counts = cohort_service.listing(programme, today, filters, shown, window)
    listed = paging.checked(paging.Page(rows, number, paging.PAGE_SIZE, counts.shown))
    table = cohort_table(listed.items, steps)
    return Page(
        [table],
        {
            "programme": programme,
            "page": listed,
            "steps": steps,
            "counts": counts,
            "table": table,
            "figure": charts.to_json(cohort_figure(listed.items, steps)),
            "filters": filters,
            **context,
        },
    )
