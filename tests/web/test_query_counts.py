"""Every dashboard runs the same number of queries whatever the amount of data: counted on
the demo data plus a block of extra cities, and again with ten times as many."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from tests.helpers import DASHBOARDS, signed_in_client
from tracker.extensions import db
from tracker.models.city import City, Mentorship, Participation
from tracker.models.plan import Action, Indicator, IndicatorValue, Plan
from tracker.models.programme import LGD_STEPS, Milestone, Programme, Sector
from tracker.models.progress import ProgressUpdate

PAGES = [
    *DASHBOARDS,
    "/milestones?state=overdue",
    "/cities?sector=energy-renewables",
    "/actions?attention=stale",
]


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, conn, cursor, statement, *args) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.count += 1


def grow(block: int, start: int) -> None:
    """Add `block` synthetic core cities, each with a deal, actions, updates, steps, an
    indicator and a mentor; and give Bamberg and Dortmund as many more actions."""
    programme = db.session.scalars(sa.select(Programme)).one()
    sector_id = db.session.scalars(
        sa.select(Sector.id).where(Sector.slug == "energy-renewables")
    ).one()
    mentor = db.session.scalars(
        sa.select(Participation).where(Participation.role == "mentor").order_by(Participation.id)
    ).first()
    assert mentor is not None
    base = date(2024, 1, 1)
    for n in range(start, start + block):
        city = City(
            slug=f"scale-{n}", name=f"Scale city {n}", country="DE", source_url="https://e.org"
        )
        db.session.add(city)
        db.session.flush()
        part = Participation(
            programme_id=programme.id,
            city_id=city.id,
            role="core",
            joined_on=date(2023, 7, 11),
            source_url="https://e.org",
        )
        plan = Plan(
            city_id=city.id,
            programme_id=programme.id,
            slug="lgd",
            kind="local_green_deal",
            title=f"Deal {n}",
            status="signed",
            is_demo=True,
        )
        db.session.add_all([part, plan])
        db.session.flush()
        db.session.add(
            Mentorship(
                programme_id=programme.id,
                mentor_id=mentor.id,
                mentee_id=part.id,
                since_on=date(2024, 1, 1),
                is_demo=True,
            )
        )
        for i, step in enumerate(LGD_STEPS[:3]):
            due = base + timedelta(days=60 * i)
            db.session.add(
                Milestone(
                    slug=f"scale/{n}/{step}",
                    plan_id=plan.id,
                    title=step,
                    planned_on=due,
                    due_on=due,
                    lgd_step=step,
                    is_demo=True,
                    completed_on=due if i == 0 else None,
                )
            )
        _actions(plan, sector_id, 2, f"a{n}", base)
    for slug in ("bamberg", "dortmund"):
        plan = db.session.scalar(
            sa.select(Plan).join(Plan.city).where(City.slug == slug).order_by(Plan.id)
        ) or _plan_for(slug, programme)
        _actions(plan, sector_id, block, f"extra{start}", base)
    db.session.commit()


def _plan_for(slug: str, programme: Programme) -> Plan:
    city = db.session.scalars(sa.select(City).where(City.slug == slug)).one()
    plan = Plan(
        city_id=city.id,
        programme_id=programme.id,
        slug="lgd",
        kind="local_green_deal",
        title="Deal",
        status="planned",
        is_demo=True,
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def _actions(plan: Plan, sector_id: int, count: int, prefix: str, base: date) -> None:
    for i in range(count):
        action = Action(
            plan_id=plan.id,
            slug=f"{prefix}-{i}",
            title=f"Action {prefix}-{i}",
            sector_id=sector_id,
            status="at_risk",
            percent_complete=40,
            last_reported_on=base,
            is_demo=True,
        )
        db.session.add(action)
        db.session.flush()
        indicator = Indicator(
            action_id=action.id,
            slug="i",
            name="Things",
            unit="things",
            target_value=10,
            is_demo=True,
        )
        db.session.add(indicator)
        db.session.flush()
        for k in range(2):
            day = base - timedelta(days=30 * k)
            db.session.add(
                ProgressUpdate(
                    action_id=action.id,
                    reported_on=day,
                    status="at_risk",
                    percent_complete=40,
                    is_demo=True,
                )
            )
            db.session.add(
                IndicatorValue(indicator_id=indicator.id, measured_on=day, value=k, is_demo=True)
            )


def count_queries(client, url: str) -> int:
    counter = Counter()
    engine = db.engines[None].engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    assert response.status_code == 200, url
    return counter.count


@pytest.mark.parametrize("url", PAGES)
def test_query_count_does_not_grow_with_the_data(demo_app, url):
    client = signed_in_client(demo_app, "lead", email="counter@example.org")
    grow(5, 0)
    small = count_queries(client, url)
    grow(45, 5)
    large = count_queries(client, url)
    assert small == large, f"{url}: {small} queries with the small data, {large} with 10x"
    assert 0 < small <= 25, f"{url} runs {small} queries"
