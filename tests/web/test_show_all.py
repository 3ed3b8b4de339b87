"""Lists that stop say so and link on: the overview's "Needs attention" shows the first rows of
each list with "10 of N: show all", leading to the whole list, filtered the same way."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
import sqlalchemy as sa

from tests.helpers import visible_text
from tracker.extensions import db
from tracker.models import Action, Milestone
from tracker.queries import overview


def show_all_links(html: str) -> list[tuple[str, int, int]]:
    return [
        (unescape(href), int(shown), int(total.replace(",", "")))
        for href, shown, total in re.findall(
            r'<p class="show-all"><a href="([^"]+)">(\d+) of ([\d,]+): show all</a></p>', html
        )
    ]


def test_each_capped_list_says_how_much_it_shows_and_leads_to_all_of_it(viewer, demo_app):
    html = viewer.get("/").get_data(as_text=True)
    links = show_all_links(html)
    today = date.today()
    stale = demo_app.config["STALE_AFTER_DAYS"]
    expected = {
        "/milestones?state=overdue": db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Milestone)
            .where(Milestone.completed_on.is_(None), Milestone.due_on < today)
        ),
        "/actions?attention=risky": db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Action)
            .where(Action.status.in_(("at_risk", "delayed")))
        ),
        "/actions?attention=stale": db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Action)
            .where(overview.attention_condition("stale", today, stale))
        ),
    }
    assert {href: (shown, total) for href, shown, total in links} == {
        href: (10, n) for href, n in expected.items()
    }
    assert all(n > 10 for n in expected.values())  # the demo data fills every list


@pytest.mark.parametrize("which", ["risky", "stale"])
def test_the_whole_list_holds_every_action_of_the_list_a_page_at_a_time(viewer, demo_app, which):
    today = date.today()
    condition = overview.attention_condition(which, today, demo_app.config["STALE_AFTER_DAYS"])
    wanted = set(db.session.scalars(sa.select(Action.id).where(condition)))
    seen: list[int] = []
    page = 1
    while True:
        response = viewer.get(f"/actions?attention={which}&page={page}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        seen += [int(i) for i in re.findall(r'<tr><td><a href="/actions/(\d+)', rows)]
        if 'rel="next"' not in html:
            break
        page += 1
    assert sorted(seen) == sorted(wanted)
    assert f"{len(wanted):,} actions." in visible_text(viewer.get(f"/actions?attention={which}"))
    # In the order the list promises, pages joined: at risk, the latest report first (newest
    # action first among the same day's); gone stale, the longest silent first, never
    # reported last (by action among equals).
    last = dict(
        db.session.execute(sa.select(Action.id, Action.last_reported_on).where(condition)).all()
    )
    if which == "risky":
        assert None not in last.values()  # where the engines differ: not in the demo data
        promised = sorted(wanted, key=lambda i: (last[i], i), reverse=True)
    else:
        assert None in last.values()  # the demo data has actions never reported
        promised = sorted(wanted, key=lambda i: (last[i] is None, last[i] or today, i))
    assert seen == promised


def test_the_overdue_milestones_list_holds_what_the_overview_counts(viewer):
    html = viewer.get("/").get_data(as_text=True)
    (total,) = [t for href, _s, t in show_all_links(html) if "milestones" in href]
    page = visible_text(viewer.get("/milestones?state=overdue"))
    assert f"of {total:,}" in page


@pytest.mark.parametrize("query", ["", "?attention=all", "?attention=risky&page=0"])
def test_a_list_that_is_not_one_is_refused_clearly(viewer, query):
    response = viewer.get(f"/actions{query}")
    assert response.status_code == 400
    assert "attention=risky" in visible_text(response) or "page" in visible_text(response)


def test_the_lists_need_a_signed_in_person(demo_app):
    response = demo_app.test_client().get("/actions?attention=risky")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
