"""Reporting rounds (both databases): closing freezes a snapshot the database refuses to
change, with a content hash that survives a backup and restore; a report entered after the
close falls in the open round whatever date it is for; a city's reports are stored together
or not at all; two rounds compare item by item."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from tests.conftest import build_app, fresh_database, make_config
from tests.factories import (
    log_report,
    make_action,
    make_indicator,
    make_milestone,
    make_plan,
    make_user,
)
from tests.helpers import row_counts
from tracker import create_app
from tracker.domain.errors import RoundClosed, Unprocessable
from tracker.extensions import db
from tracker.models import Action, City, ReportingRound, SnapshotItem, User
from tracker.queries import round_compare
from tracker.queries import rounds as read
from tracker.schemas.rounds import RoundAction, RoundOpening, RoundReport, RoundValue
from tracker.services import rounds
from tracker.services.accounts import CommandLineActor

H1 = {
    "period_start": date(2024, 1, 1),
    "period_end": date(2024, 6, 30),
    "due_on": date(2024, 7, 31),
}
H2 = {
    "period_start": date(2024, 7, 1),
    "period_end": date(2024, 12, 31),
    "due_on": date(2025, 1, 31),
}


def opened(name: str, cities: list[str], period: dict) -> ReportingRound:
    lead = db.session.scalar(sa.select(User).where(User.role == "lead")) or make_user("lead")
    round_ = rounds.open_round(lead, RoundOpening(name=name, cities=cities, **period))
    db.session.commit()
    return round_


def closed(round_: ReportingRound) -> ReportingRound:
    rounds.close_round(CommandLineActor(), round_)
    db.session.commit()
    return round_


@pytest.fixture
def bamberg(app):
    plan = make_plan("bamberg")
    action = make_action(plan)
    indicator = make_indicator(action)
    milestone = make_milestone(plan)
    log_report(action, 30, reported_on=date(2024, 3, 1))
    return {"plan": plan, "action": action, "indicator": indicator, "milestone": milestone}


def test_closing_freezes_each_item_as_it_stands_with_the_hash_of_what_is_stored(bamberg):
    round_ = closed(opened("2024 H1", ["bamberg"], H1))
    items = read.snapshot(round_, approved=False)
    city = db.session.scalar(sa.select(City.id).where(City.slug == "bamberg"))
    action = items[(city, "action", bamberg["action"].id)]
    assert (action["status"], action["percent"], action["reported_on"]) == (
        "on_track",
        30,
        "2024-03-01",
    )
    assert items[(city, "indicator", bamberg["indicator"].id)]["value"] is None
    assert items[(city, "milestone", bamberg["milestone"].id)]["due_on"] == "2030-01-01"
    assert len(round_.content_hash) == 64
    assert int(round_.content_hash, 16) >= 0
    assert round_.content_hash == rounds.content_hash(read.stored_lines(round_.id))
    # The hash is of the content: another round of the same state has the same one.
    again = closed(opened("2024 H1 again", ["bamberg"], H1))
    assert again.content_hash == round_.content_hash


REFUSED = [
    "UPDATE round_snapshot_items SET content = '{}' WHERE round_id = :id",
    "DELETE FROM round_snapshot_items WHERE round_id = :id",
    "UPDATE reporting_rounds SET name = 'renamed' WHERE id = :id",
    "UPDATE reporting_rounds SET content_hash = NULL, closed_at = NULL WHERE id = :id",
    "DELETE FROM reporting_rounds WHERE id = :id",
    "DELETE FROM reporting_round_cities WHERE round_id = :id",
    "INSERT INTO round_snapshot_items (round_id, city_id, kind, item_id, content) "
    "SELECT :id, city_id, 'action', 999999, '{}' FROM reporting_round_cities WHERE round_id = :id",
]


def test_the_database_refuses_to_change_a_closed_round_or_its_snapshot(bamberg, backend):
    round_ = closed(opened("2024 H1", ["bamberg"], H1))
    before = (read.stored_lines(round_.id), round_.name, round_.content_hash)
    statements = list(REFUSED)
    if backend == "postgresql":
        statements.append("TRUNCATE round_snapshot_items")
    for statement in statements:
        savepoint = db.session.begin_nested()
        with pytest.raises(DBAPIError, match="cannot be changed"):
            db.session.execute(sa.text(statement), {"id": round_.id})
        savepoint.rollback()
    db.session.expire_all()
    after = db.session.get(ReportingRound, round_.id)
    assert (read.stored_lines(round_.id), after.name, after.content_hash) == before


def test_an_open_round_may_change_and_a_closed_one_refuses_a_second_close_and_reports(bamberg):
    round_ = opened("2024 H1", ["bamberg"], H1)
    db.session.execute(
        sa.update(ReportingRound).where(ReportingRound.id == round_.id).values(name="Renamed")
    )
    closed(round_)
    counts = row_counts()
    with pytest.raises(RoundClosed):
        rounds.close_round(CommandLineActor(), round_)
    body = RoundReport(
        reported_on=date(2024, 6, 1),
        actions=[
            RoundAction(action_id=bamberg["action"].id, status="on_track", percent_complete=40)
        ],
    )
    with pytest.raises(RoundClosed):
        rounds.report(CommandLineActor(), round_, round_.cities[0], body, today=date(2024, 7, 1))
    db.session.rollback()
    assert row_counts() == counts


def test_a_report_for_a_closed_period_entered_after_the_close_falls_in_the_open_round(bamberg):
    first = closed(opened("2024 H1", ["bamberg"], H1))
    frozen = (read.stored_lines(first.id), first.content_hash)
    second = opened("2024 H2", ["bamberg"], H2)
    assert read.open_round_of(bamberg["plan"].city_id).id == second.id
    late = log_report(bamberg["action"], 55, reported_on=date(2024, 5, 15))
    key = (bamberg["plan"].city_id, "action", bamberg["action"].id)
    assert key in read.reported_in(second)
    assert key not in read.reported_in(first)
    assert late.reported_on <= first.period_end
    db.session.expire_all()
    again = db.session.get(ReportingRound, first.id)
    assert (read.stored_lines(first.id), again.content_hash) == frozen
    assert read.snapshot(again, approved=False)[key]["percent"] == 30
    closed(second)
    assert read.snapshot(second, approved=False)[key]["percent"] == 55


def test_a_city_cannot_be_in_two_open_rounds_and_bad_rounds_are_refused(bamberg):
    opened("2024 H1", ["bamberg"], H1)
    counts = row_counts()
    lead = make_user("lead", email="another-lead@example.org")
    counts = row_counts()
    bad = [
        ({"name": "Other", "cities": ["bamberg"], **H2}, "open round already"),
        ({"name": "2024 H1", "cities": ["dortmund"], **H2}, "exists already"),
        ({"name": "X", "cities": ["nowhere"], **H2}, "No city at: nowhere"),
        ({**H2, "name": "X", "cities": ["dortmund"], "period_end": date(2024, 6, 1)}, "end before"),
        (
            {**H2, "name": "X", "cities": ["dortmund"], "due_on": date(2024, 6, 1)},
            "before the period",
        ),
    ]
    for values, message in bad:
        with pytest.raises(Exception, match=message):
            rounds.open_round(lead, RoundOpening(**values))
        db.session.rollback()
        assert row_counts() == counts, values


def test_a_citys_reports_are_stored_together_or_not_at_all(bamberg):
    round_ = opened("2024 H1", ["bamberg"], H1)
    editor = make_user("editor", city="bamberg")
    second = make_action(bamberg["plan"], title="Heat pumps", slug="heat")
    counts = row_counts()
    body = RoundReport(
        reported_on=date(2024, 6, 1),
        actions=[
            RoundAction(action_id=bamberg["action"].id, status="on_track", percent_complete=50),
            RoundAction(action_id=second.id, status="done", percent_complete=60),
        ],
        values=[RoundValue(indicator_id=bamberg["indicator"].id, value=12.5)],
    )
    with pytest.raises(Unprocessable) as refused:
        rounds.report(editor, round_, round_.cities[0], body, today=date(2024, 7, 1))
    db.session.rollback()
    assert [field for field, _reason in refused.value.errors] == ["actions[1]"]
    assert "100 percent" in refused.value.errors[0][1]
    assert row_counts() == counts
    good = body.model_copy(
        update={
            "actions": [
                body.actions[0],
                RoundAction(action_id=second.id, status="done", percent_complete=100),
            ]
        }
    )
    assert rounds.report(editor, round_, round_.cities[0], good, today=date(2024, 7, 1)) == 3
    db.session.commit()
    assert db.session.get(Action, second.id).status == "done"
    assert len(read.reported_in(round_)) == 3


def test_with_review_required_the_snapshot_holds_the_approved_state(bamberg, app):
    app.config["REVIEW"] = "required"
    round_ = opened("2024 H1", ["bamberg"], H1)
    editor = make_user("editor", city="bamberg")
    body = RoundReport(
        reported_on=date(2024, 6, 1),
        actions=[
            RoundAction(action_id=bamberg["action"].id, status="at_risk", percent_complete=35)
        ],
    )
    rounds.report(editor, round_, round_.cities[0], body, today=date(2024, 7, 1))
    db.session.commit()
    closed(round_)
    key = (bamberg["plan"].city_id, "action", bamberg["action"].id)
    assert read.snapshot(round_, approved=True)[key]["status"] == "on_track"


def test_two_rounds_compare_on_the_demo_data(demo_app):
    cities = ["dortmund", "bamberg"]
    first = closed(opened("2024 H1", cities, H1))
    action = db.session.scalar(
        sa.select(Action)
        .join(Action.plan)
        .join(City)
        .where(City.slug == "dortmund")
        .order_by(Action.id)
        .limit(1)
    )
    was = (action.status, action.percent_complete)
    log_report(action, 77, reported_on=date.today())
    second = closed(opened("2024 H2", cities, H2))
    comparison = round_compare.compare(first, second, approved=False)
    assert [change.key for change in comparison.changes] == [
        (action.plan.city_id, "action", action.id)
    ]
    change = comparison.changes[0]
    assert (change.before["status"], change.before["percent"]) == was
    assert (change.after["status"], change.after["percent"]) == ("on_track", 77)
    assert comparison.moved_by_city == {action.plan.city_id: 1}
    counted = sum(1 for key in read.snapshot(first, approved=False) if key[1] == "action")
    assert sum(before for before, _after in comparison.statuses.values()) == counted
    assert comparison.statuses["on_track"][1] - comparison.statuses["on_track"][0] == (
        0 if was[0] == "on_track" else 1
    )
    only_bamberg = round_compare.compare(
        first,
        second,
        approved=False,
        city_id=db.session.scalar(sa.select(City.id).where(City.slug == "bamberg")),
    )
    assert only_bamberg.changes == []


def test_a_closed_rounds_hash_is_the_same_after_a_backup_and_restore(backend, tmp_path_factory):
    path = tmp_path_factory.mktemp("backup") / "backup.tar"
    with fresh_database(backend, tmp_path_factory) as url:
        source = build_app(url, tmp_path_factory.mktemp("source"), demo=True)
        with source.app_context():
            round_ = closed(opened("2024 H1", ["dortmund", "bamberg"], H1))
            round_id, stored = round_.id, round_.content_hash
            result = source.test_cli_runner().invoke(args=["backup", str(path)])
            assert result.exit_code == 0, result.output
            backup = result.output
            db.session.remove()
        with source.app_context():
            db.engine.dispose()
    with fresh_database(backend, tmp_path_factory) as url:
        target = create_app(make_config(url, tmp_path_factory.mktemp("target")))
        with target.app_context():
            result = target.test_cli_runner().invoke(args=["restore", str(path)])
            assert result.exit_code == 0, (result.output, backup)
            restored = db.session.get(ReportingRound, round_id)
            assert restored.content_hash == stored
            assert rounds.content_hash(read.stored_lines(round_id)) == stored
            assert all(json.loads(c) for *_k, c in read.stored_lines(round_id))
            assert db.session.scalar(sa.select(sa.func.count()).select_from(SnapshotItem)) > 10
            db.session.remove()
            db.engine.dispose()
