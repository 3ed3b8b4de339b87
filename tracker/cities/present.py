"""What the city pages show, made from the service's rows: the list's table and map, each
indicator's chart and table, the climate programme's sourced figures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_babel import lazy_gettext as _l

from tracker import charts
from tracker.models import Indicator
from tracker.tables import Table
from tracker.vocabulary import label, sector_list, titled

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


def indicator_chart(indicator: Indicator) -> charts.Figure:
    return charts.indicator_series(
        titled(indicator),
        indicator.unit,
        [(v.measured_on, v.value) for v in indicator.values],
        indicator.baseline_value,
        indicator.target_value,
        indicator.target_on,
    )


def indicator_table(indicator: Indicator) -> Table:
    return Table(
        f"indicator-{indicator.id}",
        f"{titled(indicator)} ({indicator.unit})",
        [_l("date"), _l("value"), _l("baseline"), _l("target")],
        [
            [v.measured_on, v.value, indicator.baseline_value, indicator.target_value]
            for v in indicator.values
        ],
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
