"""Cached dashboards: a page is served from the cache until a write that changes what it shows,
and never after it (a stale page is a defect); what differs per person is never shared."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers import NEW_PAIR, csrf_token, page_text, signed_in_client, upload
from tests.web.test_exports_imports import rows_of
from tests.web.test_query_counts import count_queries
from tracker.extensions import db
from tracker.models import Action, City, Milestone, Plan

DASHBOARDS = ["/", "/cohort", "/mentorships", "/milestones", "/cities", "/cities/bamberg"]


@pytest.fixture
def editor(demo_app):
    return signed_in_client(demo_app, "editor", city="bamberg", email="bamberg@example.org")


def bamberg_action() -> Action:
    action = db.session.scalars(
        sa.select(Action).join(Plan).join(City).where(City.slug == "bamberg").order_by(Action.id)
    ).first()
    assert action is not None
    return action


def bamberg_milestone() -> Milestone:
    milestone = db.session.scalars(
        sa.select(Milestone)
        .join(Plan)
        .join(City)
        .where(City.slug == "bamberg", Milestone.completed_on.is_(None))
        .order_by(Milestone.id)
    ).first()
    assert milestone is not None
    return milestone


@pytest.mark.parametrize("url", DASHBOARDS)
def test_a_second_visit_is_served_from_the_cache(viewer, url):
    first = count_queries(viewer, url)
    again = count_queries(viewer, url)
    # The person, their session and the data version: nothing of the page itself.
    assert again < first
    assert again <= 4, f"{url}: {again} queries from the cache"
    # The same page each time, but for the CSRF tokens, which carry the second they were made.
    assert without_tokens(viewer.get(url)) == without_tokens(viewer.get(url))


def without_tokens(response) -> str:
    return re.sub(
        r'(name="csrf_token"[^>]*value=)"[^"]*"', r'\1""', response.get_data(as_text=True)
    )


def report_through_the_form(client, action: Action, status: str, percent: str, note: str):
    """A progress report on `action` as its editor sends it from the action's page, today."""
    return client.post(
        f"/actions/{action.id}/progress",
        data={
            "reported_on": date.today().isoformat(),
            "status": status,
            "percent_complete": percent,
            "note": note,
            "evidence_url": "",
            "indicator_id": "None",
            "indicator_value": "",
        },
    )


def test_logging_progress_shows_at_once(viewer, editor):
    action = bamberg_action()
    assert "Cache check: tender out" not in page_text(viewer.get("/cities/bamberg"))
    overview = page_text(viewer.get("/"))
    response = report_through_the_form(editor, action, "delayed", "41", "Cache check: tender out")
    assert response.status_code == 302
    assert "Cache check: tender out" in page_text(viewer.get("/cities/bamberg"))
    # The overview's counts by status moved with it.
    assert page_text(viewer.get("/")) != overview


def test_moving_a_milestone_shows_at_once(viewer, editor):
    milestone = bamberg_milestone()
    new_due = date(2031, 3, 17)
    for url in ("/cities/bamberg", "/milestones?city=bamberg"):
        assert "17 Mar 2031" not in page_text(viewer.get(url)), url
    response = editor.post(
        f"/milestones/{milestone.id}/move",
        data={"due_on": new_due.isoformat(), "reason": "Cache check", "version": milestone.version},
    )
    assert response.status_code == 302
    for url in ("/cities/bamberg", "/milestones?city=bamberg"):
        assert "17 Mar 2031" in page_text(viewer.get(url)), url


def test_adding_a_mentorship_shows_at_once(viewer, lead):
    def pairs() -> int:
        return len(re.findall(r"mentorships/\d+/edit", lead.get("/mentorships").get_data(True)))

    def pesaro_links() -> int:
        return viewer.get("/mentorships").get_data(True).count('href="/cities/pesaro"')

    before, links = pairs(), pesaro_links()
    response = lead.post("/mentorships", data=NEW_PAIR)
    assert response.status_code == 302
    assert pairs() == before + 1
    assert pesaro_links() > links


def test_an_import_shows_at_once(viewer, lead):
    action = rows_of(lead.get("/exports/actions.csv?city=bamberg"))[1][0]
    assert "From the cache check sheet" not in page_text(viewer.get("/cities/bamberg"))
    content = (
        "external_id,action,reported_on,status,percent_complete,note\n"
        f"cache-check-1,{action},{date.today().isoformat()},at_risk,55,"
        "From the cache check sheet\n"
    ).encode()
    assert upload(lead, "progress", content).status_code == 302
    assert "From the cache check sheet" in page_text(viewer.get("/cities/bamberg"))


@pytest.mark.parametrize("lead_first", [True, False])
def test_what_one_person_may_do_is_not_served_to_another(viewer, lead, lead_first):
    order = [lead, viewer] if lead_first else [viewer, lead]
    pages = {client: client.get("/mentorships").get_data(True) for client in order}
    # A lead may edit or end each pair and add one; a viewer, asking in either order, may not.
    assert "Edit or end" in pages[lead]
    assert "Add a mentorship" in pages[lead]
    assert "Edit or end" not in pages[viewer]
    assert "Add a mentorship" not in pages[viewer]


def test_a_form_on_a_cached_page_carries_its_own_session_token(lead, demo_app):
    other = signed_in_client(demo_app, "lead", email="second-lead@example.org")
    demo_app.config["WTF_CSRF_ENABLED"] = True
    first, second = lead.get("/mentorships"), other.get("/mentorships")
    tokens = {
        client: set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(True)))
        for client, page in ((lead, first), (other, second))
    }
    # Every form on each page (sign out, language, add a mentorship) carries that person's token.
    assert len(tokens[lead]) == 1
    assert len(tokens[other]) == 1
    assert tokens[lead] != tokens[other]
    assert csrf_token(first.get_data(True)) in tokens[lead]


def test_the_cache_can_be_turned_off(viewer, demo_app):
    demo_app.config["PAGE_CACHE"] = False
    from tracker import cache

    cache.init_app(demo_app)
    try:
        first = count_queries(viewer, "/cohort")
        assert count_queries(viewer, "/cohort") == first
    finally:
        demo_app.config["PAGE_CACHE"] = True
        cache.init_app(demo_app)


def test_adding_a_mentorship_has_its_own_page_for_leads_only(lead, viewer):
    form = lead.get("/mentorships/new")
    assert form.status_code == 200
    assert 'action="/mentorships"' in form.get_data(True)
    assert viewer.get("/mentorships/new").status_code == 403


# The layout around a cached page (the header with the person's name, the navigation, the sign
# out and language forms with their CSRF tokens) is kept per person and sign-in.


def layouts_rendered(client, url: str) -> tuple[int, str]:
    """How many times the dashboards' layout was rendered while `url` was answered, and the page."""
    from flask import template_rendered

    rendered = []

    def seen(_app, template, **_extra):
        if template.name == "_layouts/cached.html":
            rendered.append(template.name)

    template_rendered.connect(seen)
    try:
        response = client.get(url)
    finally:
        template_rendered.disconnect(seen)
    assert response.status_code == 200
    return len(rendered), response.get_data(as_text=True)


@pytest.fixture(autouse=True)
def one_period(monkeypatch):
    """Every request of a test falls in the same period a layout is kept for (a test crossing
    the ten minutes' boundary would see it rendered again); a test may move it on."""
    from tracker import cache

    monkeypatch.setattr(cache, "shell_slot", lambda: 0)


def settled(*clients):
    """Each client has seen the message its sign-in left (shown on the next page, once)."""
    for client in clients:
        assert "Signed in" in page_text(client.get("/milestones"))


def test_a_second_visit_renders_no_layout_and_is_the_same_page(viewer):
    settled(viewer)
    first_count, first = layouts_rendered(viewer, "/cohort")
    again_count, again = layouts_rendered(viewer, "/cohort")
    assert (first_count, again_count) == (1, 0)
    assert again == first
    assert "reader@example.org" in again


def test_a_kept_layout_is_only_its_own_persons(viewer, lead):
    settled(viewer, lead)
    viewer_page, lead_page = (layouts_rendered(c, "/cohort")[1] for c in (viewer, lead))
    # Each asked second is served the layout kept for them, with their own name and token.
    assert layouts_rendered(viewer, "/cohort") == (0, viewer_page)
    assert layouts_rendered(lead, "/cohort") == (0, lead_page)
    assert "boss@example.org" in lead_page
    assert "boss@example.org" not in viewer_page
    assert "reader@example.org" not in lead_page
    assert csrf_token(viewer_page) != csrf_token(lead_page)


def test_a_kept_layout_is_rendered_again_after_a_write_and_after_its_period(
    viewer, editor, monkeypatch
):
    from tracker import cache

    monkeypatch.setattr(cache, "shell_slot", lambda: 1)
    settled(viewer)
    layouts_rendered(viewer, "/cohort")
    assert layouts_rendered(viewer, "/cohort")[0] == 0
    monkeypatch.setattr(cache, "shell_slot", lambda: 2)  # its tokens would be growing old
    assert layouts_rendered(viewer, "/cohort")[0] == 1
    assert layouts_rendered(viewer, "/cohort")[0] == 0
    action = bamberg_action()
    answer = report_through_the_form(editor, action, "at_risk", "42", "Renders the layout again")
    assert answer.status_code == 302
    assert layouts_rendered(viewer, "/cohort")[0] == 1


def test_a_message_on_a_cached_page_shows_once(viewer):
    settled(viewer)
    layouts_rendered(viewer, "/cohort")  # the layout is kept
    with viewer.session_transaction() as session:
        session["_flashes"] = [("success", "Shown exactly once")]
    count, page = layouts_rendered(viewer, "/cohort")
    assert count == 1
    assert "Shown exactly once" in page
    count, page = layouts_rendered(viewer, "/cohort")
    assert "Shown exactly once" not in page


def test_the_token_of_a_kept_layout_signs_out(viewer, demo_app):
    settled(viewer)
    layouts_rendered(viewer, "/cohort")
    count, page = layouts_rendered(viewer, "/cohort")
    assert count == 0
    demo_app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = viewer.post("/auth/logout", data={"csrf_token": "not-a-token"})
        assert refused.status_code == 400
        assert viewer.get("/cohort").status_code == 200  # still signed in
        signed_out = viewer.post("/auth/logout", data={"csrf_token": csrf_token(page)})
        assert signed_out.status_code == 302
        assert viewer.get("/cohort").status_code == 302  # to the sign-in page
    finally:
        demo_app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize("url", ["/cohort", "/cities", "/milestones"])
def test_a_page_served_from_the_cache_makes_no_filter_form(viewer, url, monkeypatch):
    """Its filters are checked when there are some to check; the form (choices read from the
    cache) is made for a page that is built, not for one served as it was kept."""
    from flask_wtf import FlaskForm

    made = []
    original = FlaskForm.__init__

    def counted(self, *args, **kwargs):
        made.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(FlaskForm, "__init__", counted)
    settled(viewer)
    viewer.get(url)  # built, and kept
    made.clear()
    assert layouts_rendered(viewer, url)[0] == 0
    assert made == []
    assert viewer.get(f"{url}?country=XX").status_code == 400  # a filter is still checked
    assert len(made) == 1
