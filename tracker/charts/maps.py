"""The cities on a map: plotly's geo traces over country outlines the app serves itself
(static/vendor/geo-assets.js), nothing fetched from elsewhere. Europe, where the programme's
cities are, fills the map; a city elsewhere (Toronto) sits on an inset of its continent, so
that it neither drops off nor squeezes Europe to a corner."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from tracker.charts.base import COLOURS, Figure, empty, figure, plain, trace
from tracker.vocabulary import label

# What the main map shows (degrees): Madeira and the Canaries in the west, Cyprus and Istanbul
# in the east, Finland in the north.
EUROPE = {"lon": (-19.0, 36.0), "lat": (31.0, 63.5)}
ROLES = ("mentor", "core", "observer")


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float
    role: str


def in_europe(place: Place) -> bool:
    (west, east), (south, north) = EUROPE["lon"], EUROPE["lat"]
    return west <= place.longitude <= east and south <= place.latitude <= north


def _geo(**extra: Any) -> dict[str, Any]:
    return {
        "showland": True,
        "landcolor": "#eef2f4",
        "showcountries": True,
        "countrycolor": "#b9c4cb",
        "showocean": True,
        "oceancolor": "#f7fbfd",
        "showframe": True,
        "framecolor": "#d6dde2",
        "coastlinecolor": "#b9c4cb",
        **extra,
    }


def city_map(places: Sequence[Place]) -> Figure:
    """Every place with coordinates as a marker coloured by its role (the name on hover and in
    the table): Europe on the map, anywhere else on an inset of North America."""
    if not places:
        return empty(_("No city has coordinates yet."))
    away = [p for p in places if not in_europe(p)]
    data = []
    for role in ROLES:
        for geo, chosen in (("geo", [p for p in places if in_europe(p)]), ("geo2", away)):
            picked = [p for p in chosen if p.role == role]
            if not picked:
                continue
            data.append(
                trace(
                    "scattergeo",
                    geo=geo,
                    lon=[p.longitude for p in picked],
                    lat=[p.latitude for p in picked],
                    mode="markers",
                    name=label(role),
                    legendgroup=role,
                    showlegend=geo == "geo"
                    or not any(p.role == role for p in places if in_europe(p)),
                    text=[plain(p.label) for p in picked],
                    marker={
                        "size": 10 if role == "mentor" else 8,
                        "color": COLOURS[role],
                        "symbol": {"mentor": "square", "core": "circle", "observer": "diamond"}[
                            role
                        ],
                        "line": {"color": "#ffffff", "width": 1},
                    },
                    hovertemplate="%{text}<extra></extra>",
                )
            )
    layout: dict[str, Any] = {
        "geo": _geo(
            scope="europe",
            resolution=50,
            projection={"type": "conic conformal"},
            lonaxis={"range": list(EUROPE["lon"])},
            lataxis={"range": list(EUROPE["lat"])},
            domain={"x": [0, 1], "y": [0, 1]},
        ),
    }
    if away:
        layout["geo2"] = _geo(
            scope="north america",
            resolution=110,
            projection={"type": "mercator"},
            lonaxis={"range": [-100.0, -60.0]},
            lataxis={"range": [30.0, 55.0]},
            domain={"x": [0, 0.24], "y": [0.72, 1]},
        )
    return figure(
        data,
        height=520,
        showlegend=True,
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        margin={"l": 0, "r": 0, "t": 0, "b": 10},
        **layout,
    )
