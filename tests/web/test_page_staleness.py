"""Dashboards a few seconds behind other people's writes (TRACKER_PAGE_STALE_SECONDS): a page
rendered within the window is served to others after a write, never past the window, never to
the person who wrote, and never from a database that was replaced."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers import page_text
from tests.web.test_api import bearer, token_for
from tests.web.test_page_cache import bamberg_action, report_through_the_form
from tracker.config import from_environment
from tracker.extensions import db
from tracker.models.meta import DataVersion

PAGE = "/cities/bamberg"
WINDOW = 10
TODAY = date.today().isoformat()


@pytest.fixture
def clock(demo_app, monkeypatch):
    """The window set, and a clock the test moves (seconds)."""
    from tracker import cache

    now = [1_000_000.0]
    monkeypatch.setattr(cache, "clock", lambda: now[0])
    demo_app.config["PAGE_STALE_SECONDS"] = WINDOW
    return now


@pytest.fixture
def editor(demo_app):
    from tests.helpers import signed_in_client

    return signed_in_client(demo_app, "editor", city="bamberg", email="bamberg@example.org")


def shows(client, note: str) -> bool:
    response = client.get(PAGE)
    assert response.status_code == 200
    return note in page_text(response)


def test_others_see_a_write_once_the_page_is_older_than_the_window(viewer, editor, clock):
    assert not shows(viewer, "Window check one")
    action = bamberg_action()
    response = report_through_the_form(editor, action, "delayed", "41", "Window check one")
    assert response.status_code == 302
    clock[0] += WINDOW - 1
    # Within the window the page rendered before the write may still be served to others ...
    assert not shows(viewer, "Window check one")
    clock[0] += 2
    # ... and never once it is older than the window.
    assert shows(viewer, "Window check one")


def test_the_person_who_wrote_sees_it_at_once(viewer, editor, clock):
    assert not shows(viewer, "Window check two")
    assert not shows(editor, "Window check two")
    action = bamberg_action()
    response = report_through_the_form(editor, action, "at_risk", "42", "Window check two")
    assert response.status_code == 302
    assert shows(editor, "Window check two")
    assert not shows(viewer, "Window check two")  # within the window, for someone else
    # The overview the writer opens next is rendered after their write too.
    overview_before = page_text(viewer.get("/"))
    assert page_text(editor.get("/")) != overview_before


def test_without_the_window_no_page_from_before_a_write_is_served(viewer, editor, clock):
    clock_start = clock[0]
    viewer.application.config["PAGE_STALE_SECONDS"] = 0
    assert not shows(viewer, "Window check three")
    report_through_the_form(editor, bamberg_action(), "on_track", "43", "Window check three")
    assert clock[0] == clock_start
    assert shows(viewer, "Window check three")


def test_a_replaced_database_is_seen_at_once(viewer, editor, clock):
    assert not shows(viewer, "Window check four")
    report_through_the_form(editor, bamberg_action(), "on_track", "44", "Window check four")
    # What a restore does to the counter: a new epoch (tracker.cache.new_epoch).
    db.session.execute(sa.update(DataVersion).values(epoch="restored0000000"))
    db.session.commit()
    assert shows(viewer, "Window check four")


def test_an_api_write_sets_no_cookie(demo_app, clock):
    token = token_for("editor", "bamberg")
    action = bamberg_action()
    response = demo_app.test_client().post(
        f"/api/v1/actions/{action.id}/progress",
        headers=bearer(token),
        json={"reported_on": TODAY, "status": "on_track", "percent_complete": 45},
    )
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("value", ["-1", "ten", "1.5"])
def test_a_bad_window_is_refused_at_start(value):
    with pytest.raises(RuntimeError, match="TRACKER_PAGE_STALE_SECONDS"):
        from_environment({"TRACKER_PAGE_STALE_SECONDS": value})


def test_the_window_is_read_from_the_environment():
    assert from_environment({"TRACKER_PAGE_STALE_SECONDS": "10"}) == {"PAGE_STALE_SECONDS": 10}
    assert from_environment({}).get("PAGE_STALE_SECONDS") is None
