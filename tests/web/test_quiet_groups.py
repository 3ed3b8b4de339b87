"""The overview's "where reporting has gone quiet" box per mentor group: the database ranks
the cities and sends back only the rows at the five numbers' ranks. Each group's figures are
checked against the same figures computed here from every city's last update."""

from __future__ import annotations

from collections import Counter
from datetime import date

import sqlalchemy as sa

from bench.generate import add_cities
from tracker.extensions import db
from tracker.models import Action, City, Mentorship, Participation, Plan, Programme
from tracker.queries import quiet


def five(days: list[int]) -> tuple[int, ...]:
    """Nearest rank: the value at round(share * (n - 1)) of the sorted days."""
    values = sorted(days)
    return tuple(values[round(k / 4 * (len(values) - 1))] for k in range(5))


def expected(programme: Programme, today: date) -> dict[str, tuple[int, int, tuple[int, ...]]]:
    """Group name -> (cities, never reported, five numbers), from every city's rows."""
    last: dict[int, date | None] = {}
    roles: dict[int, str] = {}
    for part in db.session.scalars(
        sa.select(Participation).where(Participation.programme_id == programme.id)
    ):
        roles[part.city_id] = part.role
        last[part.city_id] = db.session.scalar(
            sa.select(sa.func.max(Action.last_reported_on))
            .join(Action.plan)
            .where(Plan.city_id == part.city_id)
        )
    groups: dict[int, set[int]] = {}
    for pair in db.session.scalars(
        sa.select(Mentorship).where(
            Mentorship.programme_id == programme.id, Mentorship.ended_on.is_(None)
        )
    ):
        mentor, mentee = pair.mentor.city_id, pair.mentee.city_id
        groups.setdefault(mentor, {mentor}).add(mentee)
    grouped = set().union(*groups.values())
    names = dict(db.session.execute(sa.select(City.id, City.name)).all())
    members = {names[m]: cities for m, cities in groups.items()}
    members[quiet.NO_MENTOR] = {c for c in last if c not in grouped and roles[c] != "observer"}
    result = {}
    for name, cities in members.items():
        if not cities:
            continue
        days = [(today - last[c]).days for c in cities if last[c] is not None]  # type: ignore[operator]
        result[name] = (len(cities), len(cities) - len(days), five(days) if days else (0,) * 5)
    return result


def shown(programme: Programme, today: date) -> dict[str, tuple[int, int, tuple[int, ...]]]:
    return {g.name: (g.cities, g.never, g.five) for g in quiet.quiet_groups(programme, today)}


def test_each_group_has_the_five_numbers_of_its_cities_days(demo_app):
    programme = db.session.scalars(sa.select(Programme)).one()
    today = date.today()
    assert shown(programme, today) == expected(programme, today)
    # More cities, with mentors, so that every group has ranks to round between.
    add_cities(57, actions_per_city=2, updates_per_action=2)
    figures = shown(programme, today)
    assert figures == expected(programme, today)
    assert sum(1 for cities, never, _five in figures.values() if cities - never >= 4) >= 3
    medians = [f[2][2] for f in figures.values() if f[0] > f[1]]
    groups = quiet.quiet_groups(programme, today)
    assert [g.five[2] for g in groups if g.cities > g.never] == sorted(medians, reverse=True)


def test_a_group_whose_cities_never_reported_counts_them_and_comes_first(demo_app):
    programme = db.session.scalars(sa.select(Programme)).one()
    db.session.execute(sa.update(Action).values(last_reported_on=None))
    groups = quiet.quiet_groups(programme, date.today())
    assert groups
    assert all(g.never == g.cities for g in groups)
    assert all(g.five == (0,) * 5 for g in groups)
    counted = Counter(g.name for g in groups)
    assert max(counted.values()) == 1
