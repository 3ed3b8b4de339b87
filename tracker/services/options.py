"""The vocabularies that forms offer as choices: cities, countries, sectors, themes. One query
each, as (value, label) pairs."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import City, Sector, Theme


def cities() -> list[tuple[str, str]]:
    return [
        (slug, name)
        for slug, name in db.session.execute(sa.select(City.slug, City.name).order_by(City.name))
    ]


def countries() -> list[tuple[str, str]]:
    return [
        (c, c)
        for c in db.session.scalars(sa.select(City.country).distinct().order_by(City.country))
    ]


def sectors(by: str = "slug") -> list[tuple[object, str]]:
    key = Sector.id if by == "id" else Sector.slug
    return [
        (k, name)
        for k, name in db.session.execute(sa.select(key, Sector.name).order_by(Sector.name))
    ]


def themes() -> list[tuple[int, str]]:
    return [
        (i, name)
        for i, name in db.session.execute(sa.select(Theme.id, Theme.name).order_by(Theme.name))
    ]
