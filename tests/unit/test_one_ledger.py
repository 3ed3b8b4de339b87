"""One ledger: the same reports, logged one at a time (the web and the API) or imported in bulk,
store the same rows, leave the actions in the same state and write the same audit records; and
progress rows are inserted in one module only. On SQLite and on PostgreSQL (the suite's
second pass)."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import get_city, make_user
from tracker.extensions import db
from tracker.models import Action, AuditEvent, Indicator, IndicatorValue, Plan, ProgressUpdate, User
from tracker.schemas.reports import ProgressReport
from tracker.schemas.rows import ProgressRow
from tracker.services import ledger, progress, progress_import
from tracker.services.imports import ImportResult

TODAY = date(2026, 1, 1)
START = date(2024, 1, 1)
# A new report: (action 0 or 1, days after START, percent, with the indicator's value);
# a correction: (which standing report, percent).
NEW = st.tuples(
    st.just("new"), st.integers(0, 1), st.integers(0, 20), st.integers(0, 100), st.booleans()
)
CORRECT = st.tuples(st.just("correct"), st.integers(0, 1000), st.integers(0, 100))


def reports(steps: list[tuple]) -> list[dict[str, Any]]:
    """The steps as reports, each with its own external id; a correction names the external
    id of a report that still stands, and keeps its date."""
    made: list[dict[str, Any]] = []
    standing: list[dict[str, Any]] = []
    for n, step in enumerate(steps):
        if step[0] == "correct":
            if not standing:
                continue
            corrected = standing.pop(step[1] % len(standing))
            report = {**corrected, "ext": f"r{n}", "percent": step[2], "corrects": corrected["ext"]}
            report["note"] = "counted twice"
            report["value"] = None
        else:
            _kind, which, days, percent, valued = step
            report = {
                "ext": f"r{n}",
                "action": which,
                "day": START + timedelta(days=days),
                "percent": percent,
                "note": f"report {n}",
                "value": float(percent) if valued and which == 0 else None,
                "corrects": None,
            }
        made.append(report)
        standing.append(report)
    return made


def one_at_a_time(actor, actions, indicator, made) -> None:
    ids: dict[str, int] = {}
    for r in made:
        action = db.session.get_one(Action, actions[r["action"]].id)
        update = progress.log_progress(
            actor,
            action,
            ProgressReport(
                reported_on=r["day"],
                status="on_track",
                percent_complete=r["percent"],
                note=r["note"],
                indicator_id=indicator.id if r["value"] is not None else None,
                indicator_value=r["value"],
                corrects_id=ids[r["corrects"]] if r["corrects"] else None,
            ),
            today=TODAY,
            external_id=r["ext"],
        )
        ids[r["ext"]] = update.id


def in_bulk(actor, actions, indicator, made) -> None:
    refs = [f"bamberg/{a.plan.slug}/{a.slug}" for a in actions]
    rows = [
        (
            line,
            ProgressRow(
                external_id=r["ext"],
                action=refs[r["action"]],
                reported_on=r["day"],
                status="on_track",
                percent_complete=r["percent"],
                note=r["note"],
                indicator=indicator.slug if r["value"] is not None else None,
                indicator_value=r["value"],
                corrects=r["corrects"],
            ),
        )
        for line, r in enumerate(made, 2)
    ]
    result = ImportResult(today=TODAY)
    planned, refused = progress_import.plan_rows(actor, rows, result)
    assert not refused
    ledger.write(actor, planned)


def stored(actions) -> dict[str, Any]:
    """What the reports left, with ids written as the external ids they stand for."""
    ids = [a.id for a in actions]
    updates = db.session.scalars(
        sa.select(ProgressUpdate)
        .where(ProgressUpdate.action_id.in_(ids))
        .order_by(ProgressUpdate.id)
    ).all()
    ext = {u.id: u.external_id for u in updates}
    rows = [
        (
            u.external_id,
            ids.index(u.action_id or 0),
            u.author_id,
            u.reported_on,
            u.status,
            u.percent_complete,
            u.note,
            u.indicator_id,
            u.indicator_value,
            ext.get(u.corrects_id or 0),
            ext.get(u.original_id or 0),
        )
        for u in updates
    ]
    values = [
        (
            v.indicator_id,
            v.measured_on,
            v.value,
            ext[v.progress_update_id or 0],
            (v.note or "").replace(str(v.progress_update_id), "#"),
        )
        for v in db.session.scalars(
            sa.select(IndicatorValue)
            .where(IndicatorValue.progress_update_id.in_(ext))
            .order_by(IndicatorValue.id)
        )
    ]
    # The state, and whether the action's version moved: once per report that changed it one
    # at a time, once per import in bulk (the version guards edits, it counts no reports).
    states = [
        (a.status, a.percent_complete, a.last_reported_on, a.version > 1)
        for a in db.session.scalars(sa.select(Action).where(Action.id.in_(ids)).order_by(Action.id))
    ]
    audit = [
        (
            e.user_id,
            e.actor,
            e.verb,
            ids.index(int(e.entity_id or 0)),
            e.city_id,
            e.before,
            {
                k: ext.get(v) if k in {"update_id", "corrects_id"} else v
                for k, v in (e.after or {}).items()
            },
        )
        for e in db.session.scalars(
            sa.select(AuditEvent)
            .where(
                AuditEvent.entity_type == "action", AuditEvent.entity_id.in_([str(i) for i in ids])
            )
            .order_by(AuditEvent.id)
        )
    ]
    return {"rows": rows, "values": values, "states": states, "audit": audit}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(st.one_of(NEW, CORRECT), min_size=1, max_size=10))
def test_one_report_at_a_time_and_in_bulk_store_the_same(app, steps):
    actor = db.session.scalar(sa.select(User).where(User.email == "ledger-lead@example.org"))
    actor = actor or make_user("lead", email="ledger-lead@example.org")
    example = db.session.begin_nested()  # each example starts from the same data
    try:
        plan = Plan(
            city_id=get_city("bamberg").id, slug="ledger", kind="action_programme", title="P"
        )
        plan.started_on = START
        db.session.add(plan)
        db.session.flush()
        actions = [Action(plan_id=plan.id, slug=s, title=s) for s in ("one", "two")]
        db.session.add_all(actions)
        db.session.flush()
        indicator = Indicator(action_id=actions[0].id, slug="pv", name="PV", unit="kWp")
        db.session.add(indicator)
        db.session.flush()
        made = reports(steps)
        results = []
        for path in (one_at_a_time, in_bulk):
            savepoint = db.session.begin_nested()
            try:
                path(actor, actions, indicator, made)
                results.append(stored(actions))
            finally:
                savepoint.rollback()
    finally:
        example.rollback()
    assert results[0] == results[1]
    assert len(results[0]["rows"]) == len(made)


def test_progress_rows_are_inserted_by_the_ledger_only():
    """No module but services/ledger.py makes a progress row (ProgressUpdate(...), an insert
    into its table) or an indicator value reported with one."""
    makers = []
    for path in Path("tracker").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func)
            args = [ast.unparse(a) for a in node.args]
            if name.endswith("ProgressUpdate") or (
                name.endswith("insert") and args[:1] in (["ProgressUpdate"], ["'progress_updates'"])
            ):
                makers.append(str(path))
    assert makers
    assert set(makers) == {str(Path("tracker/services/ledger.py"))}, makers
