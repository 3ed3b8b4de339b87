"""A plan's last report (the latest report on any of its actions) is kept by the database itself,
in the transaction that writes the report, whatever writes it: the dashboards read it a row per
plan instead of every action. Checked on both engines against the actions' own dates."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests.factories import log_report, make_action, make_plan
from tracker.extensions import db
from tracker.models import Action, Plan


def kept(plan_id: int) -> date | None:
    return db.session.scalar(sa.select(Plan.last_reported_on).where(Plan.id == plan_id))


def latest(plan_id: int) -> date | None:
    return db.session.scalar(
        sa.select(sa.func.max(Action.last_reported_on)).where(Action.plan_id == plan_id)
    )


def test_a_plan_keeps_its_latest_report_as_reports_come(app):
    plan = make_plan("bamberg")
    first, second = make_action(plan), make_action(plan, title="Heat pumps", slug="heat")
    assert kept(plan.id) is None
    log_report(first, 10, reported_on=date(2024, 5, 1))
    assert kept(plan.id) == date(2024, 5, 1)
    log_report(second, 20, reported_on=date(2024, 6, 1))
    assert kept(plan.id) == date(2024, 6, 1)
    log_report(first, 30, reported_on=date(2024, 5, 15))  # not the plan's latest
    assert kept(plan.id) == date(2024, 6, 1) == latest(plan.id)


def test_a_plan_follows_an_action_that_moves_or_goes_whatever_writes_it(app):
    """Written without the ORM (as a bulk load or an import writes), the date still follows."""
    plan, other = make_plan("bamberg"), make_plan("bamberg", kind="climate_programme", status=None)
    first, second = make_action(plan), make_action(plan, title="Heat pumps", slug="heat")
    for action, day in ((first, date(2024, 3, 1)), (second, date(2024, 4, 1))):
        db.session.execute(
            sa.update(Action).where(Action.id == action.id).values(last_reported_on=day)
        )
    assert kept(plan.id) == date(2024, 4, 1)
    db.session.execute(sa.update(Action).where(Action.id == second.id).values(plan_id=other.id))
    assert (kept(plan.id), kept(other.id)) == (date(2024, 3, 1), date(2024, 4, 1))
    db.session.execute(sa.delete(Action).where(Action.id == first.id))
    assert kept(plan.id) is None
    db.session.execute(
        sa.update(Action).where(Action.id == second.id).values(last_reported_on=None)
    )
    assert kept(other.id) is None
    db.session.rollback()


def test_every_plan_of_the_demo_data_holds_its_actions_latest_report(demo_app):
    plans = db.session.execute(sa.select(Plan.id, Plan.last_reported_on)).all()
    assert any(day is not None for _id, day in plans)
    assert dict(plans) == {plan_id: latest(plan_id) for plan_id, _day in plans}
