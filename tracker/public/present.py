"""What the public pages show: the signed-in pages' own tables and figures, made from facts
and published status only (no notes, authors, addresses, evidence links or demo records)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from tracker import charts, paging
from tracker.cities import present as city_present
from tracker.main import present as main_present
from tracker.models import Programme, ReportingRound
from tracker.pages import Page
from tracker.queries import PUBLIC, published, round_compare
from tracker.queries import cohort as cohort_service
from tracker.tables import Table
from tracker.vocabulary import status_label


def overview_page(programme: Programme, today: date, soon: int, stale: int) -> Page:
    page = main_present.overview_page(programme, today, soon, stale, PUBLIC)
    page.context["others"] = published.cities_by_role(programme.id, ("mentor", "observer"))
    return page


def cohort_page(programme: Programme, today: date, number: int, *, whole: bool) -> Page:
    return main_present.cohort_page(
        programme, today, cohort_service.CohortFilter(), PUBLIC, number, whole=whole
    )


def city_page(city: published.PublicCity, number: int = 1) -> Page:
    """A city, its mentees a page at a time (`number`)."""
    mentees = paging.checked(paging.Page(city.mentees, number, paging.PAGE_SIZE, city.mentee_count))
    indicators = [i for p in city.plans for a in p.actions for i in a.indicators]
    tables = [city_present.indicator_table(i) for i in indicators]
    return Page(
        tables,
        {
            "page": city,
            "mentees": mentees,
            "tables": {t.name: t for t in tables},
            "indicator_charts": {
                i.id: charts.to_json(city_present.indicator_chart(i)) for i in indicators
            },
        },
    )


ROUND_STATUSES = ("done", "on_track", "at_risk", "delayed", "not_started", "cancelled", "none")


def round_page(round_: ReportingRound | None) -> Page:
    """The last closed round: each city's actions per status and milestones done, as frozen."""
    if round_ is None:
        return Page([], {"round": None})
    rows = round_compare.summary(round_, approved=True, facts_only=True)
    table = Table(
        "round",
        _l("Each city at the close of %(round)s", round=round_.name),
        [
            _l("City"),
            *(status_label(s) if s != "none" else _l("no report yet") for s in ROUND_STATUSES),
            _l("Milestones done"),
            _l("Milestones"),
        ],
        [
            [
                r.city.name,
                *(r.statuses[s] for s in ROUND_STATUSES),
                r.milestones_done,
                r.milestones,
            ]
            for r in rows
        ],
    )
    return Page([table], {"round": round_, "table": table, "rows": rows})
