"""The milestones page answers "which milestones slipped, and by how much?": the slip in days
of every milestone, only the moved ones, the largest slip first; and a summary chart of a
constant height instead of one bar per milestone."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import sqlalchemy as sa

from bench.generate import add_cities
from tests.factories import make_user
from tests.helpers import page_text
from tracker.extensions import db
from tracker.models import City, Milestone
from tracker.services import milestones

MOST_ROWS = 40


def listed(html: str) -> list[tuple[int, int]]:
    """(milestone id, slip shown) of each row of the list, in its order."""
    table = html.split('id="milestone-list"', 1)[1].split("</table>", 1)[0]
    return [
        (int(i), int(slip))
        for i, slip in re.findall(
            r'<a href="/milestones/(\d+)">.*?<td class="slip">([+-]?\d+)</td>', table, re.S
        )
    ]


def summary_chart(html: str) -> dict:
    body = re.search(
        r'<script type="application/json" data-chart="milestone-summary">(.*?)</script>', html, re.S
    )
    assert body, "no summary chart"
    return json.loads(body.group(1))


def chart_rows(figure: dict) -> set[str]:
    return {label for trace in figure["data"] for label in trace["y"]}


def move(milestone: Milestone, days: int) -> None:
    actor = make_user("lead", email=f"mover{milestone.id}@example.org")
    milestones.move_due_date(
        actor,
        milestone,
        version=milestone.version,
        due_on=milestone.due_on + timedelta(days=days),
        reason="The council meets later.",
        today=date.today(),
    )
    db.session.commit()


def test_moved_lists_only_moved_milestones_largest_slip_first_in_days(viewer):
    open_steps = db.session.scalars(
        sa.select(Milestone)
        .where(Milestone.lgd_step.is_not(None), Milestone.completed_on.is_(None))
        .order_by(Milestone.id)
        .limit(3)
    ).all()
    for milestone, days in zip(open_steps, (30, 120, 7), strict=True):
        move(milestone, days)
    expected = {
        m.id: (m.due_on - m.planned_on).days
        for m in db.session.scalars(
            sa.select(Milestone).where(Milestone.due_on != Milestone.planned_on)
        )
    }
    assert len(expected) >= 3
    response = viewer.get("/milestones?moved=1&sort=slip")
    assert response.status_code == 200
    rows = listed(response.get_data(as_text=True))
    assert dict(rows) == expected  # exactly the moved ones, each with its slip in days
    slips = [slip for _id, slip in rows]
    assert slips == sorted(slips, reverse=True)
    assert slips[0] >= 120
    assert "Slip (days)" in page_text(response)


def test_every_milestone_shows_its_slip_and_sort_due_is_by_date(viewer):
    rows = listed(viewer.get("/milestones?sort=due").get_data(as_text=True))
    assert len(rows) == 100  # a page
    by_id = {m.id: m for m in db.session.scalars(sa.select(Milestone))}
    for milestone_id, slip in rows:
        m = by_id[milestone_id]
        assert slip == (m.due_on - m.planned_on).days
    dues = [by_id[i].due_on for i, _slip in rows]
    assert dues == sorted(dues)


def test_bad_sort_step_or_moved_is_a_clear_400(viewer):
    for query in ("sort=slippage", "step=world-domination"):
        response = viewer.get(f"/milestones?{query}")
        assert response.status_code == 400, query
        assert "Not a valid choice" in page_text(response)


def test_the_summary_has_a_row_per_step_and_programme_milestone_and_drills_down(viewer):
    html = viewer.get("/milestones").get_data(as_text=True)
    figure = summary_chart(html)
    programme = db.session.scalar(
        sa.select(sa.func.count()).where(Milestone.programme_id.is_not(None))
    )
    rows = chart_rows(figure)
    assert len(rows) == 5 + programme
    assert "Deal signed" in rows
    # The counts per step add up to the cities that have the step.
    bars = {t["name"]: dict(zip(t["y"], t["x"], strict=True)) for t in figure["data"][:3]}
    signed = db.session.scalar(
        sa.select(sa.func.count()).where(Milestone.lgd_step == "deal-signed")
    )
    assert sum(bars[state]["Deal signed"] for state in bars) == signed
    # A step's row leads to that step's milestones in every city.
    assert 'href="/milestones?step=deal-signed"' in html
    drilled = viewer.get("/milestones?step=deal-signed")
    assert f"{signed} milestones." in page_text(drilled)
    assert chart_rows(summary_chart(drilled.get_data(as_text=True))) == {"Deal signed"}


def test_the_summary_chart_stays_under_forty_rows_at_ten_times_the_seed(viewer):
    html = viewer.get("/milestones").get_data(as_text=True)
    small = len(chart_rows(summary_chart(html)))
    assert small <= MOST_ROWS
    seed = db.session.scalar(sa.select(sa.func.count()).select_from(City)) or 0
    add_cities(seed * 9, actions_per_city=2, updates_per_action=1)
    html = viewer.get("/milestones").get_data(as_text=True)
    figure = summary_chart(html)
    assert len(chart_rows(figure)) == small <= MOST_ROWS
    # A row takes at most three lines of its wrapped name: the height is bounded all the same.
    assert figure["layout"]["height"] <= 55 * MOST_ROWS + 150


def test_a_long_summary_is_cut_at_forty_rows():
    from tracker import charts

    rows = [charts.SlipRow(f"Milestone {i}", 1, 0, 0, (0, 0, 0, 0, 0)) for i in range(90)]
    figure = charts.milestone_summary(rows)
    assert len(chart_rows(figure)) == MOST_ROWS
