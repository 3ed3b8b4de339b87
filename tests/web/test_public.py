"""The public view (/public/): off unless TRACKER_PUBLIC_PAGES is set; when on, the programme's
overview, the cohort and each city's page for anyone, from facts and published status only,
cached, and leading nowhere but to other public pages and the sources of facts."""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.factories import make_user
from tests.helpers import page_text, signed_in_client
from tests.web.test_query_counts import count_queries
from tracker.extensions import db
from tracker.models.city import City, Mentorship, Participation
from tracker.models.plan import Action, Indicator, IndicatorValue, Partner, Plan
from tracker.models.programme import Milestone, Programme, ProgrammeFigure
from tracker.models.progress import ProgressUpdate
from tracker.models.user import User
from tracker.queries.cohort import STEP_TITLES

# The records of facts whose source addresses a public page may link to (not the progress
# updates: their links are evidence, never shown).
SOURCED = [
    Programme,
    City,
    Participation,
    Mentorship,
    Plan,
    Action,
    Indicator,
    IndicatorValue,
    Milestone,
    ProgrammeFigure,
    Partner,
]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@pytest.fixture
def public(demo_app):
    demo_app.config["PUBLIC_PAGES"] = True
    yield demo_app.test_client()
    demo_app.config["PUBLIC_PAGES"] = False


def links(html: str) -> list[str]:
    return [html_lib.unescape(h) for h in re.findall(r'<a\s[^>]*href="([^"]*)"', html)]


def crawl(client) -> dict[str, str]:
    """Every public page reachable from /public/ by its links (CSV downloads aside)."""
    seen: dict[str, str] = {}
    queue = ["/public/"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        seen[url] = response.get_data(as_text=True)
        for link in links(seen[url]):
            parts = urlsplit(link)
            if not parts.netloc and parts.path.startswith("/public/") and "format=csv" not in link:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


@pytest.mark.parametrize("url", ["/public/", "/public/cohort", "/public/cities/dortmund"])
def test_without_the_setting_the_public_view_does_not_exist(demo_app, url):
    assert not demo_app.config["PUBLIC_PAGES"]
    assert demo_app.test_client().get(url).status_code == 404


def test_the_setting_is_read_from_the_environment():
    from tracker.config import from_environment

    assert from_environment({"TRACKER_PUBLIC_PAGES": "1"})["PUBLIC_PAGES"] is True
    assert from_environment({"TRACKER_PUBLIC_PAGES": "0"})["PUBLIC_PAGES"] is False
    assert "PUBLIC_PAGES" not in from_environment({})


def test_it_serves_without_signing_in_and_may_be_kept_by_any_cache(public):
    for url in ("/public/", "/public/cohort", "/public/cities/dortmund"):
        response = public.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert "Set-Cookie" not in response.headers
    assert "Intelligent Cities Challenge 2023-25" in page_text(public.get("/public/"))
    assert public.get("/public/cities/atlantis").status_code == 404
    assert public.post("/public/").status_code in (400, 405)


def test_a_second_visit_is_served_from_the_cache(public):
    public.get("/public/cohort")
    assert count_queries(public, "/public/cohort") <= 1  # the data version, nothing more


@pytest.mark.once  # what the templates show, not the database
def test_no_email_note_demo_record_or_form_and_links_only_to_public_pages_or_sources(public):
    make_user("lead", email="lead-person@example.org")
    pages = crawl(public)
    cities = db.session.scalar(sa.select(sa.func.count(sa.distinct(Participation.city_id))))
    reached = {urlsplit(u).path for u in pages if u.startswith("/public/cities/")}
    assert len(reached) == cities  # every city of the programme has its page
    sources = {
        url
        for model in SOURCED
        for url in db.session.scalars(
            sa.select(model.source_url).where(model.source_url.is_not(None))
        )
    }
    notes = {
        text
        for column in (ProgressUpdate.note, IndicatorValue.note, Participation.note, City.note)
        for text in db.session.scalars(sa.select(column).where(column.is_not(None)))
        if len(text) >= 12
    }
    evidence = set(
        db.session.scalars(
            sa.select(ProgressUpdate.evidence_url).where(ProgressUpdate.evidence_url.is_not(None))
        )
    )
    emails = set(db.session.scalars(sa.select(User.email)))
    fact_titles = set(db.session.scalars(sa.select(Action.title).where(~Action.is_demo)))
    demo_titles = {
        t
        for t in db.session.scalars(sa.select(Action.title).where(Action.is_demo))
        if t not in fact_titles
    } | {
        t
        for t in db.session.scalars(sa.select(Milestone.title).where(Milestone.is_demo))
        if t not in {str(s) for s in STEP_TITLES.values()}  # the cohort's column heads
    }
    # The demo data has each kind.
    assert notes
    assert demo_titles
    assert emails
    for url, html in pages.items():
        text = html_lib.unescape(html)
        assert not EMAIL.search(text), (url, EMAIL.search(text))
        assert not any(e in text for e in emails), url
        assert not [n for n in notes if n in text], url
        assert not [e for e in evidence if e in text], url
        assert not [t for t in demo_titles if t in text], url
        assert 'class="badge demo"' not in html, url
        assert ">demo<" not in html, url
        assert "<form" not in html, url
        for link in links(html):
            parts = urlsplit(link)
            if parts.netloc:
                assert link in sources, (url, link)
            else:
                assert parts.path.startswith("/public/") or link.startswith("#"), (url, link)


def test_it_shows_the_facts_and_leaves_the_demo_out(public):
    overview = page_text(public.get("/public/"))
    assert "55" in overview  # core cities registered, a fact
    assert "175 signed Local Green Deals" in overview  # the programme's target, a fact
    dortmund = page_text(public.get("/public/cities/dortmund"))
    assert "Climate emergency programme" in dortmund  # a sourced plan
    assert "Local Green Deal of Dortmund" not in dortmund  # the demo deal
    assert "Photovoltaic capacity on school roofs" in dortmund  # a sourced indicator


def test_its_language_is_in_its_address(public):
    german = public.get("/public/cohort?lang=de")
    assert '<html lang="de">' in german.get_data(as_text=True)
    assert 'href="/public/cities/' in german.get_data(as_text=True)
    english = public.get("/public/cohort", headers={"Accept-Language": "en"})
    assert '<html lang="en">' in english.get_data(as_text=True)


def test_a_signed_in_person_sees_the_same_public_page(public, demo_app):
    anonymous = public.get("/public/cohort").get_data(as_text=True)
    client = signed_in_client(demo_app, "lead", email="reader-public@example.org")
    signed_in = client.get("/public/cohort").get_data(as_text=True)
    assert signed_in == anonymous
    assert "reader-public@example.org" not in signed_in
