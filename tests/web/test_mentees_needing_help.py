"""The mentorships page answers "which mentor carries the most, and are their mentees stale?":
mentees needing help are exactly those over the shown threshold, the most severe first, and
each mentor's load says what share of their mentees need help."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from tests.helpers import page_text
from tracker.extensions import db
from tracker.models import Action, Mentorship, Milestone, Plan

STALE_DAYS = 60


def expected(threshold: int, mentor: str | None = None) -> list[tuple[str, int]]:
    """(mentee slug, points) over the threshold, most severe first, worked out here from the
    stored records: 2 per late step, 1 per other overdue milestone, 1 per 30 days begun after
    60 days without an update (at most 3; never updated: 3). `mentor`: its mentees only."""
    today = date.today()
    result = []
    mentees = {
        p.mentee.city
        for p in db.session.scalars(sa.select(Mentorship))
        if not p.ended_on and mentor in (None, p.mentor.city.slug)
    }
    for city in mentees:
        overdue = db.session.scalars(
            sa.select(Milestone)
            .join(Milestone.plan)
            .where(Plan.city_id == city.id, Milestone.completed_on.is_(None))
        ).all()
        late_steps = sum(1 for m in overdue if m.due_on < today and m.lgd_step)
        other = sum(1 for m in overdue if m.due_on < today and not m.lgd_step)
        last = db.session.scalar(
            sa.select(sa.func.max(Action.last_reported_on))
            .join(Action.plan)
            .where(Plan.city_id == city.id)
        )
        quiet = (today - last).days if last else None
        if quiet is None:
            quiet_points = 3
        elif quiet <= STALE_DAYS:
            quiet_points = 0
        else:
            quiet_points = min(3, -(-(quiet - STALE_DAYS) // 30))
        points = 2 * late_steps + other + quiet_points
        if points >= threshold:
            key = (-points, -late_steps, -(quiet if quiet is not None else 10**9), -other)
            result.append((key, city.name.lower(), city.slug, points))
    return [(slug, points) for *_k, slug, points in sorted(result)]


def listed(html: str) -> list[tuple[str, int]]:
    table = html.split('id="needing-help"', 1)[1].split("</table>", 1)[0]
    return [
        (slug, int(points))
        for slug, points in re.findall(
            r'<a href="/cities/([^"]+)">[^<]+</a></th><td>(\d+)</td>', table
        )
    ]


def test_mentees_needing_help_are_exactly_those_over_the_threshold_most_severe_first(viewer):
    response = viewer.get("/mentorships")
    html = response.get_data(as_text=True)
    want = expected(5)
    assert want  # the demo data has some
    assert listed(html) == want
    text = page_text(response)
    assert "A mentee needs help at 5 points or more" in text
    mentees = len(
        {p.mentee_id for p in db.session.scalars(sa.select(Mentorship)) if not p.ended_on}
    )
    assert f"{len(want)} of {mentees} current mentees need help." in text
    assert len(want) < mentees  # a threshold that sorts, not everyone


def test_the_threshold_is_a_setting(demo_app, viewer):
    demo_app.config["HELP_THRESHOLD"] = 9
    try:
        html = viewer.get("/mentorships").get_data(as_text=True)
        assert listed(html) == expected(9)
        assert "A mentee needs help at 9 points or more" in html
    finally:
        demo_app.config["HELP_THRESHOLD"] = 5


def test_each_mentor_load_gives_the_share_needing_help(viewer):
    needing = {slug for slug, _points in expected(5)}
    csv = viewer.get("/mentorships?format=csv&table=mentor-load").get_data(as_text=True)
    rows = [line.split(",") for line in csv.strip().splitlines()[1:]]
    loads: dict[str, set[str]] = {}
    for pair in db.session.scalars(sa.select(Mentorship)):
        if not pair.ended_on:
            loads.setdefault(pair.mentor.city.name, set()).add(pair.mentee.city.slug)
    assert {r[0] for r in rows} == set(loads)
    for mentor, mentees, helped, share in rows:
        assert int(mentees) == len(loads[mentor])
        assert int(helped) == len(loads[mentor] & needing)
        assert int(share) == round(100 * int(helped) / int(mentees))
    totals = [int(r[1]) for r in rows]
    assert totals == sorted(totals, reverse=True)  # the most loaded first


def test_a_long_list_of_mentees_needing_help_shows_the_most_severe_and_leads_to_all(
    demo_app, viewer, monkeypatch
):
    """The page lists the first of the mentees needing help (so it stays small with thousands
    of them), says how many there are, and links to the CSV that has every one."""
    from tracker.queries import mentees

    monkeypatch.setattr(mentees, "NEEDING_SHOWN", 3)
    demo_app.config["HELP_THRESHOLD"] = 0  # every current mentee
    try:
        want = expected(0)
        assert len(want) > 3
        response = viewer.get("/mentorships")
        html = response.get_data(as_text=True)
        assert listed(html) == want[:3]
        text = page_text(response)
        assert f"{len(want)} of {len(want)} current mentees need help." in text
        assert f"3 of {len(want)}: show all" in text
        link = re.search(r'<p class="show-all"><a href="([^"]+)"', html)
        assert link
        csv = viewer.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
        assert len(csv.strip().splitlines()) == 1 + len(want)
    finally:
        demo_app.config["HELP_THRESHOLD"] = 5


def test_the_page_computes_every_mentees_figures_once(demo_app, viewer):
    """The mentees needing help, their counts and each mentor's load come from one statement
    over one computation of the figures (the cache off: the page rendered afresh)."""
    from sqlalchemy import event

    demo_app.config["PAGE_CACHE"] = False
    from tracker import cache

    cache.init_app(demo_app)
    statements = []
    engine = db.engines[None].engine

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert viewer.get("/mentorships").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
        demo_app.config["PAGE_CACHE"] = True
        cache.init_app(demo_app)
    assert sum("figures AS" in s for s in statements) == 1
