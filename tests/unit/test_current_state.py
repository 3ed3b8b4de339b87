"""Property: whatever order updates and corrections arrive in, an action's current state is
its latest effective update (latest reported date; among equal dates, the one that stands last,
a correction standing at its original's place)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import get_city
from tracker.extensions import db
from tracker.models import Action, Plan
from tracker.queries import progress as progress_read
from tracker.services import progress
from tracker.services.accounts import CommandLineActor

START = date(2024, 1, 1)
NEW = st.tuples(st.just("new"), st.integers(0, 30), st.integers(0, 100))
CORRECT = st.tuples(st.just("correct"), st.integers(0, 1000), st.integers(0, 100))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(st.one_of(NEW, CORRECT), min_size=1, max_size=12))
def test_current_state_is_the_latest_effective_update(app, steps):
    savepoint = db.session.begin_nested()
    try:
        check(steps)
    finally:
        savepoint.rollback()


def check(steps: list[tuple[str, int, int]]) -> None:
    plan = Plan(city_id=get_city("bamberg").id, slug="prop", kind="action_programme", title="P")
    db.session.add(plan)
    db.session.flush()
    action = Action(plan_id=plan.id, slug="prop", title="Property")
    db.session.add(action)
    db.session.flush()
    model: list[dict] = []  # the reference: every stored update, in entry order
    for kind, number, percent in steps:
        effective = [u for u in model if not u["corrected"]]
        if kind == "correct" and effective:
            target = effective[number % len(effective)]
            update = progress.log_progress(
                CommandLineActor(),
                action,
                progress.ProgressReport(
                    reported_on=None,
                    status="on_track",
                    percent_complete=percent,
                    note="fix",
                    corrects_id=target["id"],
                ),
                today=date(2026, 1, 1),
            )
            target["corrected"] = True
            model.append(
                {
                    "id": update.id,
                    "day": target["day"],
                    "place": target["place"],
                    "percent": percent,
                    "corrected": False,
                }
            )
        else:
            day = START + timedelta(days=number % 31)
            update = progress.log_progress(
                CommandLineActor(),
                action,
                progress.ProgressReport(
                    reported_on=day, status="on_track", percent_complete=percent
                ),
                today=date(2026, 1, 1),
            )
            model.append(
                {
                    "id": update.id,
                    "day": day,
                    "place": update.id,
                    "percent": percent,
                    "corrected": False,
                }
            )
        expected = max(
            (u for u in model if not u["corrected"]), key=lambda u: (u["day"], u["place"])
        )
        assert (action.percent_complete, action.last_reported_on) == (
            expected["percent"],
            expected["day"],
        )
        latest = progress_read.latest_effective_update(action.id)
        assert latest is not None
        assert latest.id == expected["id"]
