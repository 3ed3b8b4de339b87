"""The vocabularies that forms offer as choices: cities, countries, sectors, themes. One query
each, as (value, label) pairs, remembered until the next write (tracker/cache.py)."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.cache import remembered
from tracker.extensions import db
from tracker.models import City, Sector, Theme
from tracker.vocabulary import named


def cities() -> list[tuple[str, str]]:
    return remembered(
        "cities",
        lambda: [
            (slug, name)
            for slug, name in db.session.execute(
                sa.select(City.slug, City.name).order_by(City.name)
            )
        ],
    )


def countries() -> list[tuple[str, str]]:
    return remembered(
        "countries",
        lambda: [
            (c, c)
            for c in db.session.scalars(sa.select(City.country).distinct().order_by(City.country))
        ],
    )


def sectors(by: str = "slug") -> list[tuple[object, str]]:
    """The sectors as choices, named in the request's language (remembered by slug, so that
    one language's names are never served in the other)."""
    key = Sector.id if by == "id" else Sector.slug
    stored: list[tuple[object, str, str]] = remembered(
        f"sectors-by-{by}",
        lambda: [
            (k, slug, name)
            for k, slug, name in db.session.execute(
                sa.select(key, Sector.slug, Sector.name).order_by(Sector.name)
            )
        ],
    )
    return [(k, named(slug, name)) for k, slug, name in stored]


def themes() -> list[tuple[int, str]]:
    stored: list[tuple[int, str, str]] = remembered(
        "themes",
        lambda: [
            (i, slug, name)
            for i, slug, name in db.session.execute(
                sa.select(Theme.id, Theme.slug, Theme.name).order_by(Theme.name)
            )
        ],
    )
    return [(i, named(slug, name)) for i, slug, name in stored]


def city_slug(text: str | None) -> str | None:
    """The city a person typed, by its address name (bamberg) or its name (Bamberg, any case);
    None if no city is called so. A typed name scales where a list of every city would not."""
    if not text or not text.strip():
        return None
    names = remembered(
        "city-names",
        lambda: {
            key: slug for slug, name in cities() for key in (slug.lower(), name.strip().lower())
        },
    )
    return names.get(text.strip().lower())
