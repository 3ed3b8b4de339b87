"""Each city's overdue milestones, from the counts the database keeps as of a stored day
(migration 0024) and the milestones due between that day and the one asked for, equal the
milestones counted one by one: on the day itself, before it and after it, after every way a
milestone is written (the app's session, plain SQL, a plan moved to another city), and after
`flask prune` moves the day on. On either engine."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import get_city, make_milestone, make_plan
from tracker.extensions import db
from tracker.models import City, Milestone, OverdueDay, Plan
from tracker.queries import overdue
from tracker.services.overdue import advance


def _counted(today: date) -> dict[int, tuple[int, int]]:
    """Each city's open plan milestones due before `today` (deal steps, others), one by one."""
    found: dict[int, list[int]] = {}
    for city_id, step, due, done in db.session.execute(
        sa.select(Plan.city_id, Milestone.lgd_step, Milestone.due_on, Milestone.completed_on).join(
            Milestone.plan
        )
    ):
        if done is None and due < today:
            found.setdefault(city_id, [0, 0])[0 if step else 1] += 1
    return {city: (steps, others) for city, (steps, others) in found.items()}


def _kept(today: date) -> dict[int, tuple[int, int]]:
    """The same from the kept counts (`queries.overdue`), cities with none left out."""
    select, steps, others = overdue.joined(sa.select(City.id), City.id, today)
    rows = db.session.execute(select.add_columns(steps, others)).all()
    return {city: (int(s), int(o)) for city, s, o in rows if (s, o) != (0, 0)}


def _day() -> date:
    return db.session.scalars(sa.select(OverdueDay.day)).one()


def _agree(*days: date) -> None:
    for day in days:
        assert _kept(day) == _counted(day), day


@pytest.fixture
def stored_day(app) -> date:
    """The stored day, and the checks around it: 40 days before, the day, 40 days after."""
    return _day()


def test_the_kept_counts_follow_every_write_on_every_day(app, stored_day):
    before, after = stored_day - timedelta(days=40), stored_day + timedelta(days=40)
    bamberg, dortmund = make_plan("bamberg"), make_plan("dortmund")
    _agree(before, stored_day, after)
    # Deal steps and another milestone, due before the day, between the day and 40 days on,
    # and later.
    late = make_milestone(bamberg, slug="t/late", due_on=stored_day - timedelta(days=10))
    late.lgd_step = "team-set-up"
    soon = make_milestone(bamberg, slug="t/soon", due_on=stored_day + timedelta(days=5))
    soon.lgd_step = "deal-signed"
    other = make_milestone(dortmund, slug="t/other", due_on=stored_day - timedelta(days=50))
    make_milestone(dortmund, slug="t/later", due_on=stored_day + timedelta(days=90))
    db.session.commit()
    _agree(before, stored_day, after)
    assert _kept(stored_day)[bamberg.city_id] == (1, 0)
    assert _kept(after)[bamberg.city_id] == (2, 0)
    assert _kept(stored_day)[dortmund.city_id] == (0, 1)
    # Done, reopened, its due date moved across the day both ways, its step taken away.
    late.completed_on = stored_day - timedelta(days=1)
    db.session.commit()
    _agree(before, stored_day, after)
    late.completed_on = None
    soon.due_on = stored_day - timedelta(days=3)
    other.due_on = stored_day + timedelta(days=3)
    db.session.commit()
    _agree(before, stored_day, after)
    soon.lgd_step = None
    db.session.commit()
    _agree(before, stored_day, after)
    # Moved to another city's plan, then deleted; by plain SQL too.
    late.plan_id = dortmund.id
    db.session.commit()
    _agree(before, stored_day, after)
    db.session.execute(
        sa.update(Milestone)
        .where(Milestone.id == soon.id)
        .values(plan_id=None, programme_id=bamberg.programme_id)
    )
    db.session.execute(sa.delete(Milestone).where(Milestone.id == other.id))
    db.session.commit()
    _agree(before, stored_day, after)
    # A plan moved to another city takes its milestones' counts along.
    dortmund.city_id = get_city("heidelberg").id
    db.session.commit()
    _agree(before, stored_day, after)
    assert get_city("heidelberg").id in _kept(stored_day)


def test_moving_the_day_on_keeps_every_days_counts(app, stored_day):
    plan = make_plan("bamberg")
    for n, offset in enumerate((-30, -1, 0, 1, 6, 7, 30)):
        make_milestone(plan, slug=f"t/{n}", due_on=stored_day + timedelta(days=offset))
    days = [stored_day + timedelta(days=d) for d in (-40, -1, 0, 1, 6, 7, 8, 40)]
    _agree(*days)
    assert advance(stored_day + timedelta(days=7)) == 7
    db.session.commit()
    assert _day() == stored_day + timedelta(days=7)
    _agree(*days)
    # Never back: an earlier day changes nothing.
    assert advance(stored_day) == 0
    db.session.commit()
    assert _day() == stored_day + timedelta(days=7)
    _agree(*days)


def test_prune_dates_the_counts_today(app, runner):
    plan = make_plan("bamberg")
    start = date.today() - timedelta(days=3)
    make_milestone(plan, slug="t/x", due_on=start + timedelta(days=1))
    make_milestone(plan, slug="t/y", due_on=start - timedelta(days=1))
    # The day set three days back by hand, the counts recounted as of it (as migration 0024
    # counts them): then the milestone due in those three days is the one prune adds.
    db.session.execute(sa.update(OverdueDay).values(day=start))
    db.session.execute(sa.text("DELETE FROM city_overdue"))
    db.session.execute(
        sa.text(
            "INSERT INTO city_overdue (city_id, steps, others) "
            "SELECT p.city_id, count(m.lgd_step), count(m.id) - count(m.lgd_step) FROM plans p "
            "LEFT JOIN milestones m ON m.plan_id = p.id AND m.completed_on IS NULL "
            "AND m.due_on < :day GROUP BY p.city_id"
        ),
        {"day": start},
    )
    db.session.commit()
    _agree(start, date.today())
    result = runner.invoke(args=["prune"])
    assert result.exit_code == 0, result.output
    moved = (_day() - start).days
    assert moved >= 3
    assert f"overdue counts {moved} days on" in result.output
    _agree(start, date.today(), date.today() + timedelta(days=1))
