"""What the city pages show, made from the service's rows: the list's table and map, each
indicator's chart and table, the climate programme's sourced figures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracker import charts
from tracker.models import Indicator
from tracker.tables import Table
from tracker.vocabulary import label

CITY_COLUMNS = [
    "city",
    "country",
    "role",
    "deal status",
    "sectors",
    "last update",
    "latitude",
    "longitude",
]


def cities_table(rows: list[Any]) -> Table:
    return Table(
        "cities",
        "Cities",
        CITY_COLUMNS,
        [
            [
                r.name,
                r.country,
                r.role,
                label(r.lgd_status),
                r.sectors,
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


def indicators(plans: list[Any]) -> Iterator[Indicator]:
    for plan in plans:
        for action in plan.actions:
            yield from action.indicators


def indicator_chart(indicator: Indicator) -> charts.Figure:
    return charts.indicator_series(
        indicator.name,
        indicator.unit,
        [(v.measured_on, v.value) for v in indicator.values],
        indicator.baseline_value,
        indicator.target_value,
        indicator.target_on,
    )


def indicator_table(indicator: Indicator) -> Table:
    return Table(
        f"indicator-{indicator.id}",
        f"{indicator.name} ({indicator.unit})",
        ["date", "value", "baseline", "target"],
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
        "Sourced figures",
        ["programme", "measure", "figure", "value", "unit", "date", "note", "source"],
        [
            [
                p.local_title or p.title,
                a.title,
                i.name,
                v.value,
                i.unit,
                v.measured_on,
                v.note,
                v.source_url,
            ]
            for p, a, i, v in figures
        ],
    )
