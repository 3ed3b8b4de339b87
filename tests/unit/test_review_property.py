"""For any sequence of reports, corrections, indicator values and review decisions, what the
public view shows of an action (its published state and its indicator's values) equals what the
approved records alone say, computed here independently of the app. On SQLite and PostgreSQL
(the suite's second pass)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import get_city, make_user
from tracker.extensions import db
from tracker.models import Action, Indicator, Plan, Review, User
from tracker.queries.published import published_values
from tracker.schemas.reports import IndicatorValueReport, ProgressReport
from tracker.services import progress, review

TODAY = date(2026, 1, 1)
START = date(2024, 1, 1)
STATUSES = ("on_track", "at_risk", "delayed")
# A new report: (days after START, percent, status, with a value); a correction of a standing
# report: (which, percent); a value on its own: (days, value); a decision on a waiting report:
# (which, approve or return).
NEW = st.tuples(
    st.just("new"), st.integers(0, 30), st.integers(0, 99), st.sampled_from(STATUSES), st.booleans()
)
CORRECT = st.tuples(st.just("correct"), st.integers(0, 1000), st.integers(0, 99))
VALUE = st.tuples(st.just("value"), st.integers(0, 30), st.integers(0, 500))
DECIDE = st.tuples(st.just("decide"), st.integers(0, 1000), st.booleans())


@dataclass
class Made:
    """A report as the test remembers it, and what became of it."""

    n: int  # the order it was made in
    kind: str  # "update" or "value"
    id: int
    day: date
    status: str | None = None
    percent: int | None = None
    value: float | None = None
    root: int = 0  # the n of the first report of its chain of corrections
    corrected: bool = False
    decision: str | None = None


def approved_state(made: list[Made]) -> tuple[tuple, list[tuple[date, float]]]:
    """The action's state and the indicator's values, from the approved records alone: of each
    chain, its last approved report stands, at the chain's first report's place."""
    approved = [m for m in made if m.decision == "approved"]
    chains: dict[int, Made] = {}
    for m in approved:
        if m.kind == "update" and (m.root not in chains or chains[m.root].n < m.n):
            chains[m.root] = m
    standing = list(chains.values())
    latest = max(standing, key=lambda m: (m.day, m.root), default=None)
    state = (latest.status, latest.percent, latest.day) if latest else (None, None, None)
    values = [(m.day, m.value) for m in standing if m.value is not None]
    values += [(m.day, m.value) for m in approved if m.kind == "value" and m.value is not None]
    return state, sorted(values, key=lambda v: v[0])


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(st.one_of(NEW, CORRECT, VALUE, DECIDE), min_size=1, max_size=14))
def test_the_public_state_is_what_the_approved_records_alone_say(app, steps):
    app.config["REVIEW"] = "required"
    editor = db.session.scalar(sa.select(User).where(User.email == "prop-editor@example.org"))
    editor = editor or make_user("editor", city="bamberg", email="prop-editor@example.org")
    lead = db.session.scalar(sa.select(User).where(User.email == "prop-lead@example.org"))
    lead = lead or make_user("lead", email="prop-lead@example.org")
    example = db.session.begin_nested()  # each example starts from the same data
    try:
        plan = Plan(city_id=get_city("bamberg").id, slug="prop", kind="action_programme", title="P")
        plan.started_on = START
        db.session.add(plan)
        db.session.flush()
        action = Action(plan_id=plan.id, slug="one", title="One")
        db.session.add(action)
        db.session.flush()
        indicator = Indicator(action_id=action.id, slug="pv", name="PV", unit="kWp")
        db.session.add(indicator)
        db.session.flush()
        made: list[Made] = []
        for n, step in enumerate(steps):
            run(step, n, made, editor, lead, action.id, indicator)
        db.session.flush()
        db.session.expire_all()
        shown = db.session.get_one(Action, action.id)
        public_state = (
            shown.published_status,
            shown.published_percent,
            shown.published_reported_on,
        )
        public_values = published_values([indicator.id]).get(indicator.id, [])
        expected_state, expected_values = approved_state(made)
    finally:
        example.rollback()
    assert public_state == expected_state
    assert sorted(public_values, key=lambda v: v[0]) == expected_values


def run(step: tuple, n: int, made: list[Made], editor, lead, action_id: int, indicator) -> None:
    kind = step[0]
    if kind == "new" or kind == "correct":
        if kind == "new":
            _k, days, percent, status, valued = step
            corrected = None
            day = START + timedelta(days=days)
        else:
            standing = [m for m in made if m.kind == "update" and not m.corrected]
            if not standing:
                return
            corrected = standing[step[1] % len(standing)]
            percent, status, valued, day = step[2], corrected.status, False, corrected.day
        update = progress.log_progress(
            editor,
            db.session.get_one(Action, action_id),
            ProgressReport(
                reported_on=day,
                status=status,
                percent_complete=percent,
                indicator_id=indicator.id if valued else None,
                indicator_value=float(percent) if valued else None,
                corrects_id=corrected.id if corrected else None,
                note="Counted twice." if corrected else None,
            ),
            today=TODAY,
        )
        if corrected is not None:
            corrected.corrected = True
        made.append(
            Made(
                n,
                "update",
                update.id,
                day,
                status,
                percent,
                float(percent) if valued else None,
                root=corrected.root if corrected else n,
            )
        )
    elif kind == "value":
        _k, days, value = step
        day = START + timedelta(days=days)
        row = progress.record_indicator_value(
            editor,
            indicator,
            IndicatorValueReport(measured_on=day, value=float(value)),
            today=TODAY,
        )
        made.append(Made(n, "value", row.id, day, value=float(value), root=n))
    else:
        waiting = [m for m in made if m.decision is None]
        if not waiting:
            return
        chosen = waiting[step[1] % len(waiting)]
        column = Review.update_id if chosen.kind == "update" else Review.value_id
        found = db.session.scalars(sa.select(Review).where(column == chosen.id)).one()
        decision = "approved" if step[2] else "returned"
        review.decide(lead, [found], decision, "Check the figure.", through="queue")
        chosen.decision = decision
