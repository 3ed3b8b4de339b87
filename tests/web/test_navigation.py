"""The header names every dashboard, and the tools each role may use, and marks where one is."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_user
from tests.helpers import login

DASHBOARDS = ["Overview", "Cohort", "Mentorships", "Milestones", "Cities"]


def sections(html: str) -> tuple[list[str], list[str]]:
    """The header's section links, and the ones marked as the current page."""
    nav = re.search(r'<nav class="sections".*?</nav>', html, re.S)
    assert nav, "no section navigation"
    links = re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(0))
    current = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', nav.group(0))
    return links, current


@pytest.mark.parametrize(
    ("role", "city", "tools"),
    [
        ("viewer", None, ["Rounds", "Exports"]),
        ("editor", "bamberg", ["Rounds", "Exports", "Import"]),
        # Reviewers see the review queue, with what waits for them.
        ("lead", None, ["Review (0)", "Rounds", "Exports", "Import", "Audit log"]),
        ("admin", None, ["Review (0)", "Rounds", "Exports", "Import", "Audit log", "Accounts"]),
    ],
)
def test_the_header_names_the_dashboards_and_the_tools_of_each_role(demo_app, role, city, tools):
    client = demo_app.test_client()
    make_user(role, email=f"{role}@example.org", city=city)
    login(client, f"{role}@example.org")
    links, _current = sections(client.get("/cohort").get_data(as_text=True))
    mine = ["My city"] if role == "editor" else []
    assert links == DASHBOARDS[:1] + mine + DASHBOARDS[1:] + tools


@pytest.mark.parametrize(
    ("url", "marked"),
    [
        ("/", "Overview"),
        ("/cohort", "Cohort"),
        ("/mentorships", "Mentorships"),
        ("/milestones", "Milestones"),
        ("/cities", "Cities"),
        ("/cities/dortmund", "Cities"),
        ("/exports", "Exports"),
    ],
)
def test_the_current_page_is_marked_once(viewer, url, marked):
    _links, current = sections(viewer.get(url).get_data(as_text=True))
    assert current == [marked]
