"""Numbers typed the way people write them: in the page's language, never a browser's number
field, said back as stored, and an unusual indicator value stored only once confirmed."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_action, make_indicator, make_plan, make_user
from tests.helpers import form_fields, login, snapshot
from tracker.extensions import db
from tracker.models import AuditEvent, Indicator, IndicatorValue, ProgressUpdate

TODAY = date.today()
GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def indicator(app):
    action = make_action(make_plan("bamberg", started_on=date(2023, 9, 1)))
    indicator = make_indicator(action)
    indicator.baseline_value, indicator.target_value = 10.0, 2000.0
    db.session.commit()
    return indicator


@pytest.fixture
def editor(client, indicator):
    make_user("editor", city="bamberg")
    login(client, "editor-bamberg@example.org")
    return client


def send(client, indicator, value: str, headers: dict[str, str], **extra: str):
    return client.post(
        f"/actions/{indicator.action_id}/progress",
        data={
            "reported_on": TODAY.isoformat(),
            "status": "on_track",
            "percent_complete": "40",
            "indicator_id": str(indicator.id),
            "indicator_value": value,
            **extra,
        },
        headers=headers,
        follow_redirects=True,
    )


def stored_values(indicator) -> list[float]:
    return list(
        db.session.scalars(
            sa.select(IndicatorValue.value)
            .where(IndicatorValue.indicator_id == indicator.id)
            .order_by(IndicatorValue.id)
        )
    )


@pytest.mark.parametrize(
    ("typed", "headers", "expected", "said"),
    [
        ("55,5", GERMAN, 55.5, "55,5 kWp"),
        ("1.234,5", GERMAN, 1234.5, "1.234,5 kWp"),
        ("1234,5", GERMAN, 1234.5, "1.234,5 kWp"),
        ("55.5", ENGLISH, 55.5, "55.5 kWp"),
        ("1,234.5", ENGLISH, 1234.5, "1,234.5 kWp"),
        ("1 234.5", ENGLISH, 1234.5, "1,234.5 kWp"),
    ],
)
def test_a_value_is_read_in_the_page_language_and_said_back(
    editor, indicator, typed, headers, expected, said
):
    page = send(editor, indicator, typed, headers).get_data(as_text=True)
    assert stored_values(indicator) == [expected]
    update = db.session.scalars(
        sa.select(ProgressUpdate).where(ProgressUpdate.action_id == indicator.action_id)
    ).one()
    assert update.indicator_value == expected
    assert said in page  # the confirmation says what was stored, written for the language


@pytest.mark.parametrize(
    ("typed", "headers", "hint"),
    [
        ("55.5", GERMAN, "55,5 oder 1.234,5"),  # the German thousands point in a wrong place
        ("1,234.5", GERMAN, "55,5 oder 1.234,5"),
        ("55,5", ENGLISH, "55.5 or 1,234.5"),
        ("1.234,5", ENGLISH, "55.5 or 1,234.5"),
        ("12 kWp", ENGLISH, "55.5 or 1,234.5"),
        ("nan", ENGLISH, "55.5 or 1,234.5"),
        ("1e400", ENGLISH, "55.5 or 1,234.5"),
    ],
)
def test_a_value_written_another_way_is_refused_and_nothing_is_stored(
    editor, indicator, typed, headers, hint
):
    before = snapshot()
    response = send(editor, indicator, typed, headers)
    assert response.status_code == 400
    error = response.get_data(as_text=True).split('id="indicator_value-error">', 1)[1]
    assert hint in error.split("</p>", 1)[0]
    assert snapshot() == before


def test_number_fields_are_text_fields_with_the_decimal_keypad(editor, indicator):
    page = editor.get(f"/actions/{indicator.action_id}", headers=GERMAN).get_data(as_text=True)
    assert 'type="number"' not in page
    for name, mode in (("percent_complete", "numeric"), ("indicator_value", "decimal")):
        field = re.search(f'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert 'type="text"' in field
        assert f'inputmode="{mode}"' in field
    form = editor.get(f"/actions/indicators/{indicator.id}/edit", headers=GERMAN)
    html = form.get_data(as_text=True)
    # A stored value is offered back as the language writes it.
    assert re.search('<input[^>]*name="target_value"[^>]*value="2.000"', html)


@pytest.mark.parametrize(
    ("typed", "span"),
    [
        ("55500", "von 1 bis 20.000\u00a0kWp"),  # a slipped comma: far above baseline and target
        ("0,5", "von 1 bis 20.000\u00a0kWp"),
        ("-3", "von 1 bis 20.000\u00a0kWp"),
    ],
)
def test_an_unusual_value_is_refused_with_the_range_then_stored_when_confirmed(
    editor, indicator, typed, span
):
    before = snapshot()
    refused = send(editor, indicator, typed, GERMAN)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    error = html.split('id="indicator_value-error">', 1)[1].split("</p>", 1)[0]
    assert span in error
    assert 'name="value_confirmed"' in html  # the box to confirm appears only now
    assert snapshot() == before

    accepted = send(editor, indicator, typed, GERMAN, value_confirmed="y")
    assert accepted.status_code == 200
    assert len(stored_values(indicator)) == 1
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.verb == "progress.log")).one()
    assert event.after["indicator_value_confirmed"] is True


def test_a_plausible_value_needs_no_confirmation_and_is_not_marked(editor, indicator):
    page = editor.get(f"/actions/{indicator.action_id}").get_data(as_text=True)
    assert 'name="value_confirmed"' not in page
    send(editor, indicator, "150", ENGLISH)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.verb == "progress.log")).one()
    assert "indicator_value_confirmed" not in event.after


def test_a_percent_indicator_is_plausible_from_0_to_100(editor, indicator):
    db.session.get(Indicator, indicator.id).unit = "%"
    db.session.commit()
    refused = send(editor, indicator, "120", ENGLISH).get_data(as_text=True)
    assert "from 0 to 100\u00a0%" in refused
    send(editor, indicator, "99.5", ENGLISH)
    assert stored_values(indicator) == [99.5]


def test_baseline_and_target_are_read_in_german_and_said_back(editor, indicator):
    url = f"/actions/indicators/{indicator.id}/edit"
    shown = form_fields(editor.get(url, headers=GERMAN).get_data(as_text=True), url)
    response = editor.post(
        url,
        data={**shown, "baseline_value": "1.234,5", "target_value": "2.000"},
        headers=GERMAN,
        follow_redirects=True,
    )
    assert "Ausgangswert 1.234,5, Ziel 2.000" in response.get_data(as_text=True)
    stored = db.session.get(Indicator, indicator.id)
    db.session.refresh(stored)
    assert (stored.baseline_value, stored.target_value) == (1234.5, 2000.0)
