"""Reporting rounds over HTTP: who may open, close and report (everyone else 403, nothing
changed); a city's sheet stored together or not at all, each bad row marked; a closed round
refuses every write with 409; the hash on the page and in the API; the public view's last
closed round; the API's rounds."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_action, make_indicator, make_milestone, make_plan, make_user
from tests.helpers import page_text, row_counts, signed_in_client
from tracker.extensions import db
from tracker.models import Action, IndicatorValue, Milestone, ReportingRound
from tracker.services import tokens

TODAY = date.today().isoformat()
ROUND = {
    "name": "2025 H1",
    "period_start": "2025-01-01",
    "period_end": "2025-06-30",
    "due_on": "2025-07-31",
    "cities": "Bamberg, dortmund",
}


@pytest.fixture
def bamberg(app):
    plan = make_plan("bamberg")
    return {
        "action": make_action(plan),
        "second": make_action(plan, title="Heat pumps", slug="heat"),
        "indicator": make_indicator(make_action(plan, title="Solar parks", slug="parks")),
        "milestone": make_milestone(plan),
    }


@pytest.fixture
def lead(app):
    return signed_in_client(app, "lead")


@pytest.fixture
def editor(app):
    return signed_in_client(app, "editor", city="bamberg")


def opened(lead) -> int:
    response = lead.post("/rounds/new", data=ROUND)
    assert response.status_code == 302, page_text(response)
    return int(response.headers["Location"].rsplit("/", 1)[1])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"period_end": "2024-12-31"}, "cannot end before it begins"),
        ({"due_on": "2024-12-31"}, "cannot be before the period begins"),
        ({"cities": "Bamberg, Atlantis"}, "No city is called Atlantis"),
        ({"period_start": "31.02.2025"}, "Period from"),
    ],
)
def test_a_bad_round_is_refused_with_its_reason_and_nothing_is_stored(lead, change, message):
    counts = row_counts()
    response = lead.post("/rounds/new", data={**ROUND, **change})
    assert response.status_code in (400, 422)
    assert message in page_text(response)
    assert row_counts() == counts


def test_only_leads_open_and_close_rounds_and_only_a_citys_editors_report(app, lead, bamberg):
    round_id = opened(lead)
    viewer = signed_in_client(app, "viewer")
    other = signed_in_client(app, "editor", city="dortmund")
    counts = row_counts()
    row = f"action-{bamberg['action'].id}"
    sheet = {"reported_on": TODAY, f"{row}-status": "on_track", f"{row}-percent": "10"}
    for client in (viewer, other):
        assert client.post("/rounds/new", data={**ROUND, "name": "X"}).status_code == 403
        assert client.post(f"/rounds/{round_id}/close").status_code == 403
        assert client.post(f"/rounds/{round_id}/cities/bamberg", data=sheet).status_code == 403
        assert client.get(f"/rounds/{round_id}/cities/bamberg").status_code == 200
    assert row_counts() == counts
    assert app.test_client().get("/rounds").status_code == 302  # to sign in


def test_a_sheet_with_bad_rows_marks_each_and_stores_nothing(app, lead, editor, bamberg):
    round_id = opened(lead)
    url = f"/rounds/{round_id}/cities/bamberg"
    page = editor.get(url)
    for item in ("action", "second", "indicator"):
        name = "indicator" if item == "indicator" else "action"
        assert f'id="{name}-{bamberg[item].id}"' in page.get_data(as_text=True)
    first, second = f"action-{bamberg['action'].id}", f"action-{bamberg['second'].id}"
    value = f"indicator-{bamberg['indicator'].id}"
    counts = row_counts()
    bad = {
        "reported_on": TODAY,
        f"{first}-status": "done",
        f"{first}-percent": "50",  # done means 100
        f"{second}-status": "on_track",
        f"{second}-percent": "40",  # a good row: not stored either
        f"{value}-value": "12.5.1",
    }
    response = editor.post(url, data=bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was stored" in html
    marked = dict(
        re.findall(r'<tr id="([a-z]+-\d+)" class="has-error">.*?field-error">([^<]*)<', html, re.S)
    )
    assert set(marked) == {first, value}
    assert "100 percent" in marked[first]
    assert 'value="12.5.1"' in html  # what was typed is kept
    assert row_counts() == counts


def test_a_good_sheet_stores_every_row_together_reading_numbers_as_the_reader_writes(
    app, lead, editor, bamberg
):
    round_id = opened(lead)
    editor.post("/auth/language", data={"language": "de", "next": "/"})
    first, value = f"action-{bamberg['action'].id}", f"indicator-{bamberg['indicator'].id}"
    done = f"milestone-{bamberg['milestone'].id}"
    response = editor.post(
        f"/rounds/{round_id}/cities/bamberg",
        data={
            "reported_on": TODAY,
            f"{first}-status": "at_risk",
            f"{first}-percent": "35",
            f"{value}-value": "12,5",
            f"{done}-done": TODAY,
        },
    )
    assert response.status_code == 302, re.findall(
        r'field-error">([^<]*)', response.get_data(as_text=True)
    )
    db.session.expire_all()
    action = db.session.get(Action, bamberg["action"].id)
    assert (action.status, action.percent_complete) == ("at_risk", 35)
    assert (
        db.session.scalar(
            sa.select(IndicatorValue.value).where(
                IndicatorValue.indicator_id == bamberg["indicator"].id
            )
        )
        == 12.5
    )
    assert db.session.get(Milestone, bamberg["milestone"].id).completed_on == date.today()
    assert "3 Meldungen" in page_text(editor.get(response.headers["Location"]))


def test_closing_shows_the_hash_and_every_later_write_to_the_round_answers_409(
    app, lead, editor, bamberg
):
    round_id = opened(lead)
    assert lead.post(f"/rounds/{round_id}/close").status_code == 302
    stored = db.session.get(ReportingRound, round_id).content_hash
    assert re.fullmatch(r"[0-9a-f]{64}", stored)
    assert stored in lead.get(f"/rounds/{round_id}").get_data(as_text=True)
    counts = row_counts()
    row = f"action-{bamberg['action'].id}"
    sheet = {"reported_on": TODAY, f"{row}-status": "on_track", f"{row}-percent": "10"}
    assert lead.post(f"/rounds/{round_id}/close").status_code == 409
    assert editor.post(f"/rounds/{round_id}/cities/bamberg", data=sheet).status_code == 409
    assert row_counts() == counts
    # The closed round's page shows its snapshot, with no fields.
    page = editor.get(f"/rounds/{round_id}/cities/bamberg").get_data(as_text=True)
    assert "frozen snapshot" in page
    assert f'name="{row}-status"' not in page


def test_two_rounds_compare_on_the_page(app, lead, editor, bamberg):
    first = opened(lead)
    lead.post(f"/rounds/{first}/close")
    response = lead.post("/rounds/new", data={**ROUND, "name": "2025 H2"})
    second = int(response.headers["Location"].rsplit("/", 1)[1])
    row = f"action-{bamberg['second'].id}"
    editor.post(
        f"/rounds/{second}/cities/bamberg",
        data={"reported_on": TODAY, f"{row}-status": "delayed", f"{row}-percent": "5"},
    )
    lead.post(f"/rounds/{second}/close")
    text = page_text(lead.get(f"/rounds/compare?first={second}&second={first}"))
    assert "1 item moved." in text
    assert "Heat pumps" in text
    assert "Delayed, 5" in text
    assert lead.get(f"/rounds/compare?first={first}").status_code == 400
    assert (
        lead.get(f"/rounds/compare?first={first}&second={second}&city=nowhere").status_code == 400
    )


def test_the_public_view_shows_the_last_closed_round_without_demo_items(demo_app):
    demo_app.config["PUBLIC_PAGES"] = True
    client = demo_app.test_client()
    assert "No reporting round has closed yet" in page_text(client.get("/public/rounds"))
    lead = signed_in_client(demo_app, "lead")
    round_id = opened(lead)
    lead.post(f"/rounds/{round_id}/close")
    stored = db.session.get(ReportingRound, round_id).content_hash
    html = client.get("/public/rounds").get_data(as_text=True)
    assert stored in html
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>((?:<td class="num">\d+</td>)+)', html))
    assert set(rows) == {"Bamberg", "Dortmund"}
    demo_actions = db.session.scalar(
        sa.select(sa.func.count()).select_from(Action).where(Action.is_demo.is_(True))
    )
    assert demo_actions > 0
    shown = sum(int(n) for n in re.findall(r"\d+", rows["Dortmund"])[:7])
    facts = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Action)
        .join(Action.plan)
        .where(Action.is_demo.is_(False), Action.plan.has(city_id=_city_id("dortmund")))
    )
    assert shown == facts


def _city_id(slug: str) -> int | None:
    from tracker.models import City

    return db.session.scalar(sa.select(City.id).where(City.slug == slug))


class Api:
    """A client of the API with a token of `role`'s."""

    def __init__(self, app, role: str, city: str | None = None) -> None:
        user = make_user(role, city=city, email=f"api-{role}-{city or 'all'}@example.org")
        self.headers = {
            "Authorization": f"Bearer {tokens.issue_token(None, user, 'test', actor_label='test')}"
        }
        db.session.commit()
        self.client = app.test_client()

    def get(self, url: str):
        return self.client.get(url, headers=self.headers)

    def post(self, url: str, json: dict):
        return self.client.post(url, json=json, headers=self.headers)


def test_the_api_opens_lists_closes_and_compares_rounds(app, bamberg):
    lead = Api(app, "lead")
    body = {
        "name": "API round",
        "period_start": "2025-01-01",
        "period_end": "2025-06-30",
        "due_on": "2025-07-31",
        "cities": ["bamberg"],
    }
    created = lead.post("/api/v1/rounds", json=body)
    assert created.status_code == 201, created.json
    round_id = created.json["id"]
    assert created.json["state"] == "open"
    assert created.json["content_hash"] is None
    assert lead.get(f"/api/v1/rounds/{round_id}/items").status_code == 409
    listed = lead.get("/api/v1/rounds?state=open").json
    assert [r["id"] for r in listed["items"]] == [round_id]
    closed = lead.post(f"/api/v1/rounds/{round_id}/close", json={})
    assert closed.status_code == 201
    assert len(closed.json["content_hash"]) == 64
    assert lead.post(f"/api/v1/rounds/{round_id}/close", json={}).status_code == 409
    items = lead.get(f"/api/v1/rounds/{round_id}/items?kind=action").json
    assert {i["item_id"] for i in items["items"]} == {
        bamberg["action"].id,
        bamberg["second"].id,
        bamberg["indicator"].action_id,
    }
    assert (
        lead.get(f"/api/v1/rounds/{round_id}").json["content_hash"] == closed.json["content_hash"]
    )
    again = lead.post("/api/v1/rounds", json={**body, "name": "API round 2"}).json["id"]
    compared = lead.get(f"/api/v1/rounds/{again}/compare/{round_id}").json
    assert (compared["first"], compared["second"], compared["changes"]) == (round_id, again, [])


def test_the_api_takes_a_citys_reports_together_or_names_every_bad_row(app, bamberg):
    lead = Api(app, "lead")
    round_id = lead.post(
        "/api/v1/rounds",
        json={
            "name": "API round",
            "period_start": "2025-01-01",
            "period_end": "2025-06-30",
            "due_on": "2025-07-31",
            "cities": ["bamberg"],
        },
    ).json["id"]
    editor = Api(app, "editor", "bamberg")
    viewer = Api(app, "viewer")
    url = f"/api/v1/rounds/{round_id}/cities/bamberg/reports"
    rows = [
        {"action_id": bamberg["action"].id, "status": "on_track", "percent_complete": 20},
        {"action_id": bamberg["second"].id, "status": "done", "percent_complete": 20},
    ]
    counts = row_counts()
    refused = editor.post(url, json={"reported_on": TODAY, "actions": rows})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json["errors"]] == ["actions[1]"]
    assert row_counts() == counts
    assert viewer.post(url, json={"reported_on": TODAY, "actions": rows[:1]}).status_code == 403
    stored = editor.post(url, json={"reported_on": TODAY, "actions": rows[:1]})
    assert stored.status_code == 201
    assert stored.json["stored"] == 1
    lead.post(f"/api/v1/rounds/{round_id}/close", json={})
    counts = row_counts()
    assert editor.post(url, json={"reported_on": TODAY, "actions": rows[:1]}).status_code == 409
    assert row_counts() == counts


def test_only_leads_open_or_close_rounds_through_the_api(app, bamberg):
    lead, editor = Api(app, "lead"), Api(app, "editor", "bamberg")
    body = {
        "name": "API round",
        "period_start": "2025-01-01",
        "period_end": "2025-06-30",
        "due_on": "2025-07-31",
        "cities": ["bamberg"],
    }
    counts = row_counts()
    assert editor.post("/api/v1/rounds", json=body).status_code == 403
    assert row_counts() == counts
    round_id = lead.post("/api/v1/rounds", json=body).json["id"]
    counts = row_counts()
    assert editor.post(f"/api/v1/rounds/{round_id}/close", json={}).status_code == 403
    assert row_counts() == counts
    assert db.session.get(ReportingRound, round_id).closed_at is None
    bad = lead.post("/api/v1/rounds", json={**body, "name": "Other", "period_end": "2024-01-01"})
    # A rule between dates the document can only describe: refused as a conflict, naming
    # the field (schemathesis holds a body the schema allows to 2xx or 409, never 422).
    assert bad.status_code == 409
    assert bad.json["errors"] == [
        {"field": "period_end", "reason": "The period cannot end before it begins."}
    ]
    taken = lead.post("/api/v1/rounds", json={**body, "name": "API round", "cities": ["dortmund"]})
    assert taken.status_code == 409  # refused by what is stored: the name is taken
    assert row_counts() == counts
