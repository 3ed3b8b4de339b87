"""Builders of test records: users, plans, actions, indicators and milestones in the seeded
database, committed."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Action, City, Indicator, Milestone, Plan, Programme, User
from tracker.services import accounts

PASSWORD = "correct horse battery staple"


def make_user(
    role: str = "viewer",
    *,
    city: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
    active: bool = True,
) -> User:
    user = accounts.create_user(
        None,
        email=email or f"{role}-{city or 'all'}@example.org",
        password=password,
        role=role,
        city_slug=city,
        actor_label="test",
    )
    user.is_active = active
    db.session.commit()
    return user


def get_city(slug: str):

    return db.session.scalar(sa.select(City).where(City.slug == slug))


def make_plan(
    city: str = "bamberg",
    *,
    kind: str = "local_green_deal",
    status: str | None = "planned",
    started_on=None,
    programme: bool = True,
):

    plan = Plan(
        city_id=get_city(city).id,
        programme_id=db.session.scalar(sa.select(Programme.id)) if programme else None,
        slug=f"test-{kind}-{city}",
        kind=kind,
        title=f"Test plan of {city}",
        status=status if kind == "local_green_deal" else None,
        started_on=started_on or date(2023, 9, 1),
    )
    db.session.add(plan)
    db.session.commit()
    return plan


def make_action(plan, *, title: str = "Solar on schools", slug: str = "solar"):

    action = Action(plan_id=plan.id, slug=slug, title=title)
    db.session.add(action)
    db.session.commit()
    return action


def make_indicator(action, *, name: str = "PV capacity", unit: str = "kWp"):

    indicator = Indicator(action_id=action.id, slug="pv", name=name, unit=unit)
    db.session.add(indicator)
    db.session.commit()
    return indicator


def make_milestone(plan, *, slug: str = "test/bamberg/team", due_on=None):

    due = due_on or date(2030, 1, 1)
    milestone = Milestone(
        slug=slug, plan_id=plan.id, title="Team set up", planned_on=due, due_on=due
    )
    db.session.add(milestone)
    db.session.commit()
    return milestone


def log_report(action, percent: int, *, reported_on: date | None = None, note: str | None = None):
    """A progress report on `action`, made through the service as the command line makes it,
    and committed."""
    from tracker.services import progress
    from tracker.services.accounts import CommandLineActor

    update = progress.log_progress(
        CommandLineActor(),
        action,
        progress.ProgressReport(
            reported_on=reported_on or date(2024, 5, 1),
            status="on_track",
            percent_complete=percent,
            note=note,
        ),
        today=date.today(),
    )
    db.session.commit()
    return update
