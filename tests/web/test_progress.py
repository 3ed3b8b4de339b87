"""Logging progress on an action: bad input stores nothing, notes are shown as text, and the
action's current state always equals its latest update."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_indicator, make_user
from tests.helpers import csrf_token, login, page_text, snapshot
from tracker.extensions import db
from tracker.models import Action, AuditEvent, IndicatorValue, ProgressUpdate

TODAY = date.today()


def report(**overrides: str) -> dict[str, str]:
    return {
        "reported_on": TODAY.isoformat(),
        "status": "on_track",
        "percent_complete": "40",
        "note": "",
        "evidence_url": "",
        "indicator_id": "None",
        "indicator_value": "",
        **overrides,
    }


def post(client, action, **overrides):
    return client.post(f"/actions/{action.id}/progress", data=report(**overrides))


def test_a_report_is_stored_and_becomes_the_current_state(editor_client, action):
    response = post(
        editor_client, action, note="Tender published", evidence_url="https://example.org/tender"
    )
    assert response.status_code == 302
    db.session.refresh(action)
    assert (action.status, action.percent_complete, action.last_reported_on) == (
        "on_track",
        40,
        TODAY,
    )
    update = db.session.scalar(sa.select(ProgressUpdate))
    assert (update.note, update.evidence_url, update.author.email) == (
        "Tender published",
        "https://example.org/tender",
        "editor-bamberg@example.org",
    )
    page = page_text(editor_client.get(f"/actions/{action.id}"))
    assert "Tender published" in page
    assert "On track" in page


BAD_INPUT = [
    ({"percent_complete": "-1"}, "percent_complete", "from 0 to 100"),
    ({"percent_complete": "101"}, "percent_complete", "from 0 to 100"),
    ({"percent_complete": "50.5"}, "percent_complete", "whole number"),
    ({"percent_complete": "abc"}, "percent_complete", "for example 55.5 or 1,234.5"),
    ({"percent_complete": "nan"}, "percent_complete", "for example 55.5"),
    ({"percent_complete": "inf"}, "percent_complete", "for example 55.5"),
    ({"percent_complete": "5,5"}, "percent_complete", "for example 55.5"),
    ({"percent_complete": ""}, "percent_complete", "required"),
    ({"reported_on": (TODAY + timedelta(days=1)).isoformat()}, "reported_on", "in the future"),
    ({"reported_on": "2023-08-31"}, "reported_on", "before the plan began (1 Sep 2023)"),
    ({"reported_on": "31/12/2024"}, "reported_on", "Not a valid date"),
    ({"evidence_url": "javascript:alert(1)"}, "evidence_url", "http:// or https://"),
    ({"evidence_url": "ftp://example.org/file"}, "evidence_url", "http:// or https://"),
    ({"note": "x" * 2001}, "note", "2000"),
    ({"status": "finished"}, "status", "Not a valid choice"),
    ({"status": "done", "percent_complete": "90"}, "percent_complete", "100 percent complete"),
    ({"indicator_id": "999999", "indicator_value": "3"}, "indicator_id", "Not a valid choice"),
    ({"indicator_value": "3"}, "indicator_id", "together"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_with_a_message_and_stores_nothing(
    editor_client, action, overrides, field, message
):
    before = snapshot()
    response = post(editor_client, action, **overrides)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    error = html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message.lower() in error.lower()
    assert snapshot() == before


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400"])
def test_an_indicator_value_must_be_a_finite_number(editor_client, action, value):
    indicator = make_indicator(action)
    before = snapshot()
    response = post(editor_client, action, indicator_id=str(indicator.id), indicator_value=value)
    assert response.status_code == 400
    assert 'id="indicator_value-error"' in response.get_data(as_text=True)
    assert snapshot() == before


def test_the_form_keeps_what_the_user_typed(editor_client, action):
    response = post(editor_client, action, percent_complete="101", note="Keep this note")
    html = response.get_data(as_text=True)
    assert "Keep this note" in html
    assert 'value="101"' in html


def test_a_missing_csrf_token_is_refused(editor_client, action, csrf_on):
    before = snapshot()
    assert post(editor_client, action).status_code == 400
    assert snapshot() == before


def test_an_indicator_value_is_stored_with_the_report_and_in_the_series(editor_client, action):
    indicator = make_indicator(action)
    assert (
        post(
            editor_client, action, indicator_id=str(indicator.id), indicator_value="120.5"
        ).status_code
        == 302
    )
    value = db.session.scalar(
        sa.select(IndicatorValue).where(IndicatorValue.indicator_id == indicator.id)
    )
    assert (value.indicator_id, value.value, value.measured_on) == (indicator.id, 120.5, TODAY)


def test_script_in_a_note_is_shown_as_text_everywhere(editor_client, action, runner):
    payload = "<script>alert(1)</script>"
    assert post(editor_client, action, note=payload).status_code == 302
    pages = [f"/actions/{action.id}", "/admin/audit"]
    lead = make_user("lead")
    other = editor_client.application.test_client()
    login(other, lead.email)
    for url in pages:
        for client in (editor_client, other):
            response = client.get(url)
            if response.status_code != 200:
                continue
            html = response.get_data(as_text=True)
            assert payload not in html, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in editor_client.get(
        f"/actions/{action.id}"
    ).get_data(as_text=True)
    audit = other.get("/admin/audit").get_data(as_text=True)
    assert "alert(1)" in audit
    assert payload not in audit


def test_current_state_follows_the_latest_reported_date_even_out_of_order(editor_client, action):
    steps = [
        # (reported on, status, percent) sent, then the action's status, percent and date
        (("2024-06-01", "at_risk", "30"), ("at_risk", 30, date(2024, 6, 1))),
        # An earlier date goes into the history and leaves the present as it was.
        (("2024-01-01", "on_track", "10"), ("at_risk", 30, date(2024, 6, 1))),
        (("2024-09-01", "delayed", "35"), ("delayed", 35, date(2024, 9, 1))),
        # Same date twice: the one entered last wins.
        (("2024-09-01", "on_track", "36"), ("on_track", 36, date(2024, 9, 1))),
    ]
    for (day, status, percent), state in steps:
        sent = post(editor_client, action, reported_on=day, status=status, percent_complete=percent)
        assert sent.status_code == 302
        db.session.refresh(action)
        assert (action.status, action.percent_complete, action.last_reported_on) == state, day


def test_history_is_kept_newest_first(editor_client, action):
    post(editor_client, action, reported_on="2024-01-01", percent_complete="10", note="first")
    post(editor_client, action, reported_on="2024-03-01", percent_complete="80", note="second")
    page = page_text(editor_client.get(f"/actions/{action.id}"))
    assert page.index("second") < page.index("first")


def test_logging_progress_is_audited_with_before_and_after(editor_client, action):
    post(editor_client, action, percent_complete="25")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "progress.log"))
    assert event.before == {"status": None, "percent_complete": None}
    assert event.after["status"] == "on_track"
    assert event.after["percent_complete"] == 25
    assert event.actor == "editor-bamberg@example.org"
    assert event.city_id == action.plan.city_id


def test_updates_cannot_be_edited_or_deleted_through_the_web(editor_client, action):
    post(editor_client, action)
    update = db.session.scalar(sa.select(ProgressUpdate))
    for method in ("put", "patch", "delete"):
        response = getattr(editor_client, method)(f"/actions/{action.id}/progress")
        assert response.status_code == 405
    assert db.session.scalar(sa.select(ProgressUpdate)).id == update.id


def test_unknown_action_is_404(editor_client):
    assert editor_client.get("/actions/999999").status_code == 404
    assert editor_client.post("/actions/999999/progress", data=report()).status_code == 404


def test_the_form_shows_its_csrf_token_when_protection_is_on(editor_client, action, csrf_on):
    html = editor_client.get(f"/actions/{action.id}").get_data(as_text=True)
    token = csrf_token(html)
    response = editor_client.post(
        f"/actions/{action.id}/progress", data={**report(), "csrf_token": token}
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Action.percent_complete).where(Action.id == action.id)) == 40
