"""What the city pages show, made from the service's rows: the list's table and map, each
indicator's chart and table, the climate programme's sourced figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from tracker import charts, paging
from tracker.milestones import present as milestone_present
from tracker.models import City, Indicator, Programme
from tracker.pages import Page
from tracker.queries import cities
from tracker.queries.cities import CityFilter
from tracker.queries.milestones import state_expression
from tracker.queries.published import PublicIndicator
from tracker.tables import Table
from tracker.vocabulary import label, sector_list, titled

CLIMATE_KINDS = ("climate_programme", "action_programme")

CITY_COLUMNS = [
    _l("city"),
    _l("country"),
    _l("role"),
    _l("deal status"),
    _l("sectors"),
    _l("last update"),
    _l("latitude"),
    _l("longitude"),
]


def cities_table(rows: list[Any]) -> Table:
    return Table(
        "cities",
        _l("Cities"),
        CITY_COLUMNS,
        [
            [
                r.name,
                r.country,
                label(r.role),
                label(r.lgd_status),
                sector_list(r.sectors),
                r.last_update,
                r.latitude,
                r.longitude,
            ]
            for r in rows
        ],
    )


def places(rows: list[Any]) -> list[charts.Place]:
    """The cities that have coordinates, as the map places them."""
    return [
        charts.Place(r.name, r.latitude, r.longitude, r.role)
        for r in rows
        if r.latitude is not None and r.longitude is not None
    ]


def unplaced(rows: list[Any]) -> list[str]:
    """The names of the cities the map cannot show: no coordinates are known."""
    return [r.name for r in rows if r.latitude is None or r.longitude is None]


def indicators(plans: list[Any]) -> Iterator[Indicator]:
    for plan in plans:
        for action in plan.actions:
            yield from action.indicators


def series(indicator: Indicator) -> PublicIndicator:
    """An indicator's values as the charts and tables take them (the public view's shape)."""
    return PublicIndicator(
        indicator.id,
        indicator.name,
        indicator.local_name,
        indicator.unit,
        indicator.baseline_value,
        indicator.target_value,
        indicator.target_on,
        [(v.measured_on, v.value) for v in indicator.values],
        indicator.source_url,
    )


def indicator_chart(indicator: PublicIndicator) -> charts.Figure:
    return charts.indicator_series(
        titled(indicator),
        indicator.unit,
        indicator.values,
        indicator.baseline,
        indicator.target,
        indicator.target_on,
    )


def indicator_table(indicator: PublicIndicator) -> Table:
    return Table(
        f"indicator-{indicator.id}",
        f"{titled(indicator)} ({indicator.unit})",
        [_l("date"), _l("value"), _l("baseline"), _l("target")],
        [[day, value, indicator.baseline, indicator.target] for day, value in indicator.values],
    )


def sourced_figures(plans: list[Any]) -> list[tuple[Any, Any, Indicator, Any]]:
    """Every measured value of the plans, with its plan, action and indicator."""
    return [
        (plan, action, indicator, value)
        for plan in plans
        for action in plan.actions
        for indicator in action.indicators
        for value in indicator.values
    ]


def figures_table(figures: list[tuple[Any, Any, Indicator, Any]]) -> Table:
    return Table(
        "figures",
        _l("Sourced figures"),
        [
            _l("programme"),
            _l("measure"),
            _l("figure"),
            _l("value"),
            _l("unit"),
            _l("date"),
            _l("note"),
            _l("source"),
        ],
        [
            [
                p.local_title or p.title,
                a.title,
                titled(i),
                v.value,
                i.unit,
                v.measured_on,
                v.note,
                v.source_url,
            ]
            for p, a, i, v in figures
        ],
    )


def index_page(
    programme: Programme, filters: CityFilter, number: int, *, whole: bool, **context: Any
) -> Page:
    """The cities, filtered, a page at a time on a map and in a table; all of them in the CSV."""
    if whole:
        return Page([cities_table(cities.listing(programme, filters)[0])])
    offset = (number - 1) * paging.PAGE_SIZE
    rows, total = cities.listing(programme, filters, (offset, paging.PAGE_SIZE))
    shown = paging.checked(paging.Page(rows, number, paging.PAGE_SIZE, total))
    located = places(shown.items)
    table = cities_table(shown.items)
    return Page(
        [table],
        {
            "page": shown,
            "table": table,
            "located": len(located),
            "unplaced": unplaced(shown.items),
            "figure": charts.to_json(charts.city_map(located)),
            **context,
        },
    )


def detail_page(city: City, today: date, soon: int, number: int = 1, **context: Any) -> Page:
    """A city: its plans, actions and indicators, its milestones over time, and its mentees a
    page at a time (`number`)."""
    window = ((number - 1) * paging.PAGE_SIZE, paging.PAGE_SIZE)
    page = cities.page(city, state_expression(today, soon), mentees=window)
    mentees = paging.checked(paging.Page(page.mentees, number, paging.PAGE_SIZE, page.mentee_count))
    shown = [series(i) for i in indicators(page.plans)]
    tables = [indicator_table(i) for i in shown]
    tables.append(milestone_present.milestones_of_city(page.milestones))
    return Page(
        tables,
        {
            "page": page,
            "city": city,
            "mentees": mentees,
            "indicator_charts": {i.id: charts.to_json(indicator_chart(i)) for i in shown},
            "milestone_chart": charts.to_json(milestone_present.gantt(page.milestones, today)),
            "tables": {t.name: t for t in tables},
            "has_climate": any(p.kind in CLIMATE_KINDS for p in page.plans),
            **context,
        },
    )


def climate_page(city: City, today: date, soon: int) -> Page | None:
    """A city's climate programme: its measures with their histories and sourced figures;
    None where the city has none."""
    page = cities.page(city, state_expression(today, soon), mentees=(0, 0))  # none shown
    plans = [p for p in page.plans if p.kind in CLIMATE_KINDS]
    if not plans:
        return None
    figures = sourced_figures(plans)
    ids = {p.id for p in plans}
    table = figures_table(figures)
    return Page(
        [table],
        {
            "city": city,
            "plans": plans,
            "histories": cities.action_histories(plans),
            "figures": figures,
            "table": table,
            "milestones": [(m, s) for m, s in page.milestones if m.plan_id in ids],
        },
    )
