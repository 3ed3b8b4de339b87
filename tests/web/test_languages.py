"""German and English: which language a page speaks, and how it writes and reads dates and
numbers in it."""

from __future__ import annotations

import html
from datetime import date

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from babel.numbers import format_decimal
from flask_babel import refresh

from tests.factories import make_action, make_indicator, make_plan, make_user
from tests.helpers import login, signed_in_client, snapshot, upload
from tracker.extensions import db
from tracker.models import AuditEvent, IndicatorValue, Programme, ProgressUpdate
from tracker.queries import keys, overview
from tracker.vocabulary import day, number, percent

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_dates_and_numbers_are_written_for_the_language(app):
    with app.test_request_context(headers=GERMAN):
        assert (number(5.6), percent(5.6, 1), day(date(2023, 11, 23))) == (
            "5,6",
            "5,6\u00a0%",
            "23.11.2023",
        )
        assert number(1234.5) == "1.234,5"
    with app.test_request_context():
        refresh()  # the fixture's application context outlives the request above
        assert (number(5.6), percent(5.6, 1), day(date(2023, 11, 23))) == (
            "5.6",
            "5.6\u00a0%",
            "23 Nov 2023",
        )


def test_the_overview_speaks_german_to_a_german_browser(demo_app):
    client = signed_in_client(demo_app, "viewer", email="leser@example.org")
    page = text_of(client.get("/", headers=GERMAN))
    assert '<html lang="de">' in page
    for heading in (
        "Meilensteine des Programms",
        "Phasen und Meilensteine",
        "Fortschritt nach Sektor",
        "Braucht Aufmerksamkeit",
    ):
        assert f">{heading}<" in page
    programme = overview.current_programme()
    assert isinstance(programme, Programme)
    assert programme.starts_on.strftime("%d.%m.%Y") in page
    averages = [s.average for s in overview.sector_progress() if s.average is not None]
    assert averages
    for avg in averages:
        assert f"<td>{format_decimal(round(avg, 1), '#,##0.#', locale='de')}</td>" in page

    english = text_of(client.get("/"))
    assert '<html lang="en">' in english
    assert ">Programme milestones<" in english
    assert format_date(programme.starts_on, "d MMM y", locale="en") in english


def test_the_choice_goes_setting_then_switch_then_browser_then_english(app):
    client = app.test_client()
    assert '<html lang="en">' in text_of(client.get("/auth/login"))
    assert '<html lang="de">' in text_of(client.get("/auth/login", headers=GERMAN))
    switched = client.post("/auth/language", data={"language": "en", "next": "/auth/login"})
    assert switched.status_code == 302
    assert switched.headers["Location"].endswith("/auth/login")
    # The switch's cookie outweighs the browser's wish.
    assert '<html lang="en">' in text_of(client.get("/auth/login", headers=GERMAN))

    user = make_user("viewer", email="wahl@example.org")
    login(client, "wahl@example.org")
    client.post("/auth/language", data={"language": "de", "next": "/"})
    db.session.refresh(user)
    assert user.language == "de"
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.verb == "user.language")
    ).one()
    assert event.after == {"language": "de"}
    # The person's setting outweighs the browser, in a new browser too.
    fresh = app.test_client()
    login(fresh, "wahl@example.org")
    assert '<html lang="de">' in text_of(fresh.get("/", headers={"Accept-Language": "en"}))


@pytest.mark.parametrize(
    "data",
    [
        {"language": "fr", "next": "/"},
        {"language": "", "next": "/"},
        {"next": "/"},
        {"language": "de<script>", "next": "/"},
    ],
)
def test_a_language_that_is_not_offered_is_refused_and_nothing_changes(app, data):
    client = app.test_client()
    user = make_user("viewer", email="falsch@example.org")
    login(client, "falsch@example.org")
    before = snapshot()
    response = client.post("/auth/language", data=data)
    assert response.status_code == 302
    assert "language=" not in response.headers.get("Set-Cookie", "")
    assert snapshot() == before
    db.session.refresh(user)
    assert user.language is None
    assert "Choose English or Deutsch." in text_of(client.get("/"))


def test_the_switch_leads_back_only_within_the_site(app):
    client = app.test_client()
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.post("/auth/language", data={"language": "de", "next": target})
        assert response.headers["Location"] in {"/", "http://localhost/"}
    assert client.get("/auth/language").status_code == 302


@pytest.fixture
def bamberg(app):
    action = make_action(make_plan("bamberg", started_on=date(2023, 9, 1)))
    indicator = make_indicator(action)
    make_user("editor", city="bamberg")
    client = app.test_client()
    login(client, "editor-bamberg@example.org")
    return action, indicator, client


def test_the_progress_form_reads_a_german_date_and_decimal_comma(bamberg):
    action, indicator, client = bamberg
    today = date.today()
    response = client.post(
        f"/actions/{action.id}/progress",
        headers=GERMAN,
        data={
            "reported_on": today.strftime("%d.%m.%Y"),
            "status": "on_track",
            "percent_complete": "40",
            "indicator_id": str(indicator.id),
            "indicator_value": "55,5",
        },
    )
    assert response.status_code == 302
    update = db.session.scalars(sa.select(ProgressUpdate)).one()
    assert (update.reported_on, update.indicator_value) == (today, 55.5)


def test_an_import_reads_german_dates_and_decimal_commas_in_german(bamberg):
    action, indicator, client = bamberg
    client.post("/auth/language", data={"language": "de", "next": "/"})
    row = [
        "de-1",
        keys.action_ref(action),
        "01.05.2024",
        "on_track",
        "30",
        "pv",
        '"12,5"',
    ]
    content = (
        "external_id,action,reported_on,status,percent_complete,indicator,indicator_value\n"
        + ",".join(row)
        + "\n"
    ).encode()
    response = upload(client, "progress", content)
    assert response.status_code == 302
    value = db.session.scalars(
        sa.select(IndicatorValue).where(IndicatorValue.indicator_id == indicator.id)
    ).one()
    assert (value.measured_on, value.value) == (date(2024, 5, 1), 12.5)


def test_refusals_speak_german_on_the_form_and_in_the_api(app, bamberg):
    action, _indicator, client = bamberg
    from tracker.services import tokens

    user = make_user("lead", email="api-de@example.org")
    token = tokens.issue_token(None, user, "de", actor_label="test")
    db.session.commit()
    before = snapshot()
    page = client.post(
        f"/actions/{action.id}/progress",
        headers=GERMAN,
        data={"reported_on": "01.05.2024", "status": "done", "percent_complete": "90"},
    )
    assert page.status_code == 400
    text = text_of(page)
    assert "Eine erledigte Maßnahme ist zu 100 Prozent erledigt." in text
    assert "Bitte korrigieren Sie das Markierte" in text  # the summary at the form's top
    assert ">Prozent erledigt<" in text  # the field's label

    api = app.test_client()
    answer = api.post(
        f"/api/v1/actions/{action.id}/progress",
        headers={**GERMAN, "Authorization": f"Bearer {token}"},
        json={"reported_on": "2024-05-01", "status": "done", "percent_complete": 90, "x": 1},
    )
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["detail"] == "Der Inhalt hat ungültige Felder."
    assert {"field": "x", "reason": "unbekanntes Feld"} in body["errors"]
    assert snapshot() == before


def test_a_plan_is_titled_in_german_by_its_local_title(demo_app):
    client = signed_in_client(demo_app, "viewer", email="titel@example.org")
    german = text_of(client.get("/cities/dortmund/climate", headers=GERMAN))
    assert "<h2>Klima-Sofortprogramm <span" in german
    english = text_of(client.get("/cities/dortmund/climate"))
    assert "(Klima-Sofortprogramm)</span></h2>" in english


def test_the_new_dashboards_speak_german(demo_app):
    client = signed_in_client(demo_app, "viewer", email="leserin@example.org")
    cohort = text_of(client.get("/cohort?late=1", headers=GERMAN))
    assert "Städten haben einen verspäteten Schritt" in cohort
    assert ">Deal unterzeichnet<" in cohort
    milestones = text_of(client.get("/milestones", headers=GERMAN))
    assert "Schritte und Programm-Meilensteine" in milestones
    assert "Deal unterzeichnet" in milestones
    mentorships = text_of(client.get("/mentorships", headers=GERMAN))
    assert "Ein Mentee braucht Hilfe ab 5 Punkten" in mentorships
    overview_page = text_of(client.get("/", headers=GERMAN))
    assert "Wo es still geworden ist" in overview_page


def test_a_pages_words_follow_each_request_in_turn(app):
    """Templates' words are kept once translated, per language: pages asked in English, German,
    English and German in turn each speak their own, a message with a figure included."""
    client = signed_in_client(app, "lead", email="turns@example.org")
    english = {"Accept-Language": "en"}
    said = []
    for headers in (english, GERMAN, english, GERMAN):
        page = text_of(client.get("/", headers=headers))
        said.append(
            (
                "Skip to the content" in page,
                "Zum Inhalt springen" in page,
                "Review (0)" in page,
                "Prüfung (0)" in page,
            )
        )
    assert said == [(True, False, True, False), (False, True, False, True)] * 2
