"""The overview counts actions from totals the database keeps as actions change (action_totals,
migration 0021): after every kind of write they equal what the actions themselves say, and the
overview's figures move with a report."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests.web.test_exports_imports import rows_of
from tests.web.test_page_cache import bamberg_action, report_through_the_form
from tests.web.test_page_cache import editor as editor  # the fixture
from tracker.extensions import db
from tracker.models import Action, ActionTotal, Sector
from tracker.queries import EVERYTHING, Shown
from tracker.queries.overview import RISKY, actions_by_status, needs_attention, sector_progress

SUMS = ("actions", "reporting", "percent_sum", "published_reporting", "published_percent_sum")


def counted_from_actions() -> dict[tuple, tuple[int, ...]]:
    """Each key's sums, computed from every action."""
    key = (
        sa.func.coalesce(Action.sector_id, 0),
        Action.is_demo,
        sa.func.coalesce(Action.status, ""),
        sa.func.coalesce(Action.published_status, ""),
    )
    rows = db.session.execute(
        sa.select(
            *key,
            sa.func.count(),
            sa.func.count(Action.percent_complete),
            sa.func.coalesce(sa.func.sum(Action.percent_complete), 0),
            sa.func.count(Action.published_percent),
            sa.func.coalesce(sa.func.sum(Action.published_percent), 0),
        ).group_by(*key)
    )
    return {tuple(r[:4]): tuple(int(v or 0) for v in r[4:]) for r in rows}


def kept() -> dict[tuple, tuple[int, ...]]:
    """The kept totals, leaving out rows every action has left."""
    rows = db.session.execute(
        sa.select(
            ActionTotal.sector_id,
            ActionTotal.is_demo,
            ActionTotal.status,
            ActionTotal.published_status,
            *(getattr(ActionTotal, c) for c in SUMS),
        )
    )
    return {tuple(r[:4]): tuple(int(v) for v in r[4:]) for r in rows if any(r[4:])}


def agree() -> None:
    db.session.expire_all()
    assert kept() == counted_from_actions()


def test_the_totals_hold_after_the_seed_and_the_demo_data(demo_app):
    assert counted_from_actions()  # there is something to count
    agree()


def test_the_totals_follow_a_report_through_the_form(demo_app, editor):
    action = bamberg_action()
    before = dict(actions_by_status())
    old = action.status or "no_report"
    response = report_through_the_form(editor, action, "delayed", "37", "Totals check")
    assert response.status_code == 302
    agree()
    after = dict(actions_by_status())
    if old != "delayed":
        assert after["delayed"] == before["delayed"] + 1
        assert after[old] == before[old] - 1


def test_the_totals_follow_every_change_of_an_action(demo_app):
    action = bamberg_action()
    sectors = db.session.scalars(sa.select(Sector.id).order_by(Sector.id)).all()
    changes = [
        {"sector_id": sectors[-1]},
        {"sector_id": None},
        {"status": "at_risk", "percent_complete": 12},
        {"percent_complete": None},
        {"published_status": "on_track", "published_percent": 55},
        {"is_demo": not action.is_demo},
        {"status": None},
    ]
    for change in changes:
        for name, value in change.items():
            setattr(action, name, value)
        db.session.commit()
        agree()


def test_the_totals_follow_new_and_deleted_actions_and_bulk_updates(demo_app):
    plan = bamberg_action().plan
    sector = db.session.scalars(sa.select(Sector.id).order_by(Sector.id)).first()
    new = Action(
        plan_id=plan.id,
        slug="totals-check",
        title="Totals check",
        sector_id=sector,
        position=99,
        status="on_track",
        percent_complete=40,
        is_demo=False,
    )
    db.session.add(new)
    db.session.commit()
    agree()
    # As the bench's generator and a bulk load write: one statement, many rows.
    db.session.execute(
        sa.update(Action)
        .where(Action.plan_id == plan.id)
        .values(percent_complete=sa.func.coalesce(Action.percent_complete, 0) / 2)
    )
    db.session.commit()
    agree()
    db.session.delete(new)
    db.session.commit()
    agree()


def test_the_overview_figures_equal_the_actions(demo_app):
    for shown in (EVERYTHING, Shown(facts_only=True, approved=True)):
        status = actions_by_status(shown)
        actions = db.session.execute(
            sa.select(Action.state_columns(shown.approved)[0], sa.func.count())
            .where(*Action.facts(shown.facts_only))
            .group_by(Action.state_columns(shown.approved)[0])
        ).all()
        expected = {s or "no_report": n for s, n in actions}
        assert {k: v for k, v in status if v} == expected
        for row in sector_progress(shown):
            percent = Action.state_columns(shown.approved)[1]
            n, counted, average = db.session.execute(
                sa.select(sa.func.count(), sa.func.count(percent), sa.func.avg(percent))
                .join(Sector, Sector.id == Action.sector_id)
                .where(Sector.slug == row.sector, *Action.facts(shown.facts_only))
            ).one()
            assert (row.actions, row.reporting) == (n, counted)
            if average is None:
                assert row.average is None
            else:
                assert abs(row.average - float(average)) < 1e-9


def test_the_count_of_actions_at_risk_or_delayed_is_the_actions(demo_app):
    risky = db.session.scalar(
        sa.select(sa.func.count()).select_from(Action).where(Action.status.in_(RISKY))
    )
    assert risky
    assert needs_attention(date.today(), 60).risky_count == risky
    bamberg_action().status = "delayed" if bamberg_action().status not in RISKY else "on_track"
    db.session.commit()
    moved = db.session.scalar(
        sa.select(sa.func.count()).select_from(Action).where(Action.status.in_(RISKY))
    )
    assert moved != risky
    assert needs_attention(date.today(), 60).risky_count == moved


def test_the_overview_page_counts_a_report_at_once(demo_app, viewer, editor):
    def delayed() -> int:
        """The overview's count of delayed actions, as its CSV gives it."""
        rows = rows_of(viewer.get("/?format=csv&table=action-status"))
        return next(int(r[1]) for r in rows if r and r[0] == "delayed")

    before = delayed()
    action = bamberg_action()
    was_delayed = action.status == "delayed"
    status = "on_track" if was_delayed else "delayed"
    response = report_through_the_form(editor, action, status, "50", "Totals page check")
    assert response.status_code == 302
    assert delayed() == before + (-1 if was_delayed else 1)
