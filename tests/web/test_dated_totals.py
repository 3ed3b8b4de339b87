"""Figures that depend on the day come from counts the database keeps by date as records change
(migration 0022): the milestones per deal step, due date, first planned date and done or not
(`milestone_totals`), and the open actions per last report (`open_action_reports`). After every
kind of write they equal what the records themselves say, and the milestones summary and the
count of actions gone stale equal the records on any day."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa

from tests.web.test_page_cache import bamberg_action, bamberg_milestone, report_through_the_form
from tests.web.test_page_cache import editor as editor  # the fixture
from tracker.extensions import db
from tracker.models import (
    NEVER_REPORTED,
    Action,
    Milestone,
    MilestoneTotal,
    OpenActionReport,
    Plan,
)
from tracker.queries.milestones import PROGRAMME, MilestoneFilter, state_expression, summary
from tracker.queries.overview import attention_condition, attention_list, needs_attention

OPEN = sa.or_(Action.status.is_(None), Action.status.not_in(("done", "cancelled")))


def milestones_counted() -> Counter:
    return Counter(
        (m.lgd_step or "", m.due_on, m.planned_on, m.completed_on is not None)
        for m in db.session.scalars(sa.select(Milestone))
    )


def milestones_kept() -> Counter:
    return Counter(
        {
            (t.lgd_step, t.due_on, t.planned_on, bool(t.done)): int(t.n)
            for t in db.session.scalars(sa.select(MilestoneTotal))
            if t.n
        }
    )


def actions_counted() -> Counter:
    return Counter(
        a.last_reported_on or NEVER_REPORTED
        for a in db.session.scalars(sa.select(Action).where(OPEN))
    )


def actions_kept() -> Counter:
    return Counter(
        {
            t.last_reported_on: int(t.n)
            for t in db.session.scalars(sa.select(OpenActionReport))
            if t.n
        }
    )


def agree() -> None:
    db.session.expire_all()
    assert milestones_kept() == milestones_counted()
    assert actions_kept() == actions_counted()


def test_the_counts_hold_after_the_seed_and_the_demo_data(demo_app):
    assert milestones_counted()  # there is something to count
    assert actions_counted()
    assert NEVER_REPORTED in actions_counted()  # and an open action never reported
    agree()


def test_the_counts_follow_reports_and_milestones_through_the_forms(demo_app, editor):
    action = bamberg_action()
    response = report_through_the_form(editor, action, "delayed", "37", "Dated totals check")
    assert response.status_code == 302
    agree()
    response = report_through_the_form(editor, bamberg_action(), "done", "100", "Finished")
    assert response.status_code == 302
    agree()  # a done action is no longer open: it left the counts
    milestone = bamberg_milestone()
    response = editor.post(
        f"/milestones/{milestone.id}/move",
        data={
            "due_on": (milestone.due_on + timedelta(days=45)).isoformat(),
            "reason": "Council vote delayed",
            "version": milestone.version,
        },
    )
    assert response.status_code == 302
    agree()
    db.session.refresh(milestone)
    response = editor.post(
        f"/milestones/{milestone.id}/done",
        data={"completed_on": date.today().isoformat(), "version": milestone.version},
    )
    assert response.status_code == 302
    agree()


def test_the_counts_follow_every_change_new_and_deleted_records_and_bulk_updates(demo_app):
    action = bamberg_action()
    for change in (
        {"status": "cancelled"},
        {"status": None},
        {"last_reported_on": None},
        {"last_reported_on": date(2024, 5, 6)},
        {"status": "on_track", "last_reported_on": date(2025, 1, 2)},
    ):
        for name, value in change.items():
            setattr(action, name, value)
        db.session.commit()
        agree()
    milestone = bamberg_milestone()
    for change in (
        {"lgd_step": None},
        {"planned_on": milestone.planned_on - timedelta(days=3)},
        {"completed_on": date(2025, 3, 4)},
        {"completed_on": None, "due_on": milestone.due_on + timedelta(days=9)},
    ):
        for name, value in change.items():
            setattr(milestone, name, value)
        db.session.commit()
        agree()
    plan = action.plan
    new = Milestone(
        plan_id=plan.id,
        slug="dated-totals-check",
        title="Dated totals check",
        planned_on=date(2025, 6, 1),
        due_on=date(2025, 7, 1),
    )
    db.session.add(new)
    db.session.commit()
    agree()
    db.session.delete(new)
    db.session.commit()
    agree()
    # As a bulk load writes: one statement, many rows.
    db.session.execute(
        sa.update(Milestone)
        .where(Milestone.plan_id == plan.id)
        .values(due_on=Milestone.due_on + timedelta(days=1))
        if db.engine.dialect.name == "postgresql"
        else sa.update(Milestone)
        .where(Milestone.plan_id == plan.id)
        .values(due_on=sa.func.date(Milestone.due_on, "+1 day"))
    )
    db.session.execute(
        sa.update(Action).where(Action.plan_id == plan.id).values(last_reported_on=None)
    )
    db.session.commit()
    agree()


def direct_summary(filters: MilestoneFilter, today: date, soon: int) -> dict[str, tuple]:
    """Each step's or programme milestone's done, on time and late, and its slips, counted
    here from every milestone."""
    state = state_expression(today, soon)
    query = sa.select(Milestone, state).where(
        sa.or_(Milestone.lgd_step.is_not(None), Milestone.programme_id.is_not(None))
    )
    if filters.state:
        query = query.where(state == filters.state)
    if filters.step == PROGRAMME:
        query = query.where(Milestone.programme_id.is_not(None))
    elif filters.step:
        query = query.where(Milestone.lgd_step == filters.step)
    if filters.moved:
        query = query.where(Milestone.due_on != Milestone.planned_on)
    found: dict[str, tuple[Counter, Counter]] = {}
    for milestone, row_state in db.session.execute(query):
        key = milestone.lgd_step or str(milestone.id)
        states, slips = found.setdefault(key, (Counter(), Counter()))
        states[{"done": "done", "overdue": "late"}.get(row_state, "on_time")] += 1
        slips[(milestone.due_on - milestone.planned_on).days] += 1
    return {k: (s["done"], s["on_time"], s["late"], dict(slips)) for k, (s, slips) in found.items()}


def test_the_milestones_summary_equals_the_milestones_on_any_day(demo_app):
    filters = [
        MilestoneFilter(),
        MilestoneFilter(state="overdue"),
        MilestoneFilter(state="done"),
        MilestoneFilter(step="deal-signed"),
        MilestoneFilter(step=PROGRAMME),
        MilestoneFilter(moved=True),
    ]
    steps = db.session.scalars(
        sa.select(Milestone.lgd_step).where(Milestone.lgd_step.is_not(None))
    ).all()
    assert len(steps) > 5  # the seed's deal steps are there to sum
    for today in (date(2024, 1, 1), date(2025, 6, 30), date.today()):
        for kept in filters:
            rows = summary(kept, today, 30)
            found = {r.key: (r.done, r.on_time, r.late, r.slips) for r in rows}
            assert found == direct_summary(kept, today, 30), (today, kept)


def test_the_count_of_stale_actions_is_the_actions_on_any_day(demo_app):
    for today, window in ((date.today(), 60), (date(2025, 3, 1), 30), (date(2024, 1, 1), 90)):
        stale = attention_condition("stale", today, window)
        expected = db.session.scalar(sa.select(sa.func.count()).select_from(Action).where(stale))
        assert needs_attention(today, window).stale_count == expected
        assert attention_list("stale", today, window, limit=5)[1] == expected
        assert expected  # the seed has actions gone stale by then, or never reported
    # A report makes an action fresh: the count moves with it.
    action = db.session.scalars(
        sa.select(Action).join(Plan).where(OPEN, Action.last_reported_on.is_(None))
    ).first()
    assert action is not None
    before = needs_attention(date.today(), 60).stale_count
    action.last_reported_on = date.today()
    db.session.commit()
    assert needs_attention(date.today(), 60).stale_count == before - 1
