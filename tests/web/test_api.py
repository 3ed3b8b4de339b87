"""The JSON API: tokens, reading with filters and pages, the three writes with the same rules,
permissions and audit as the web forms, and problem documents for everything refused."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate

from tests.factories import make_action, make_indicator, make_milestone, make_plan, make_user
from tests.helpers import csrf_token, login, page_text, snapshot
from tracker.api.openapi import document
from tracker.extensions import db
from tracker.models import ApiToken, AuditEvent, Milestone, ProgressUpdate
from tracker.services import tokens

TODAY = date.today().isoformat()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_for(role: str, city: str | None = None) -> str:
    user = make_user(role, city=city, email=f"api-{role}-{city or 'all'}@example.org")
    token = tokens.issue_token(None, user, "test", actor_label="test")
    db.session.commit()
    return token


@pytest.fixture
def world(app):
    plan = make_plan("bamberg")
    action = make_action(plan)
    indicator = make_indicator(action)
    milestone = make_milestone(plan)
    return {"action": action, "indicator": indicator, "milestone": milestone}


def test_the_document_is_valid_openapi_3_1_and_has_a_readable_page(client):
    validate(document())
    assert document()["openapi"] == "3.1.0"
    assert client.get("/api/v1/openapi.json").status_code == 401
    assert client.get("/api/v1/docs").status_code == 302  # to sign in
    token = token_for("viewer")
    assert client.get("/api/v1/openapi.json", headers=bearer(token)).get_json() == document()
    login(client, "api-viewer-all@example.org")
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.get_data(as_text=True)
    assert "POST /api/v1/actions/{action_id}/progress" in page_text(docs).replace("<wbr>", "")
    # No address names a CDN (the page's random tokens are not addresses and may hold "cdn").
    assert not [h for h in re.findall(r"https?://([^/\"'\s<>]+)", html) if "cdn" in h.lower()]
    assert 'src="http' not in html


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "Send an API token"),
        (bearer("icc_not-a-real-token"), "unknown or revoked"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "malformed"),
        ({"Authorization": "Bearer"}, "malformed"),
    ],
)
def test_reads_need_a_valid_token_or_session(client, headers, detail):
    response = client.get("/api/v1/cities", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 401
    assert body["title"] == "Unauthorized"
    assert detail in body["detail"]


def test_a_revoked_token_is_refused(client, app):
    token = token_for("viewer")
    assert client.get("/api/v1/programmes", headers=bearer(token)).status_code == 200
    row = db.session.scalar(sa.select(ApiToken))
    admin = make_user("admin")
    tokens.revoke_token(admin, row)
    db.session.commit()
    assert client.get("/api/v1/programmes", headers=bearer(token)).status_code == 401


def test_tokens_are_stored_only_as_a_hash(app):
    token = token_for("viewer")
    row = db.session.scalar(sa.select(ApiToken))
    assert token not in (row.token_hash, row.prefix)
    assert len(row.token_hash) == 64
    assert token.startswith(row.prefix)


def test_a_signed_in_browser_may_read(client):
    make_user("viewer")
    login(client, "viewer-all@example.org")
    assert client.get("/api/v1/programmes").get_json()["total"] == 1


def test_session_writes_need_the_csrf_header(client, csrf_on, world):
    make_user("editor", city="bamberg")
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    client.post(
        "/auth/login",
        data={
            "email": "editor-bamberg@example.org",
            "password": "correct horse battery staple",
            "csrf_token": token,
        },
    )
    page = client.get("/").get_data(as_text=True)
    body = {"reported_on": TODAY, "status": "on_track", "percent_complete": 30}
    url = f"/api/v1/actions/{world['action'].id}/progress"
    before = snapshot()
    refused = client.post(url, json=body)
    assert refused.status_code == 400
    assert "X-CSRFToken" in refused.get_json()["detail"]
    assert snapshot() == before
    accepted = client.post(url, json=body, headers={"X-CSRFToken": csrf_token(page)})
    assert accepted.status_code == 201


def test_lists_are_paged_in_a_stable_order_with_the_total(client):
    token = token_for("viewer")
    first = client.get("/api/v1/cities?limit=10", headers=bearer(token)).get_json()
    second = client.get("/api/v1/cities?limit=10&offset=10", headers=bearer(token)).get_json()
    assert first["total"] == second["total"] == 73
    slugs = [c["slug"] for c in first["items"] + second["items"]]
    assert slugs == sorted(slugs)
    assert len(set(slugs)) == 20
    everything = client.get("/api/v1/cities?limit=500", headers=bearer(token)).get_json()
    assert [c["slug"] for c in everything["items"]][:20] == slugs


def test_filters(client, world):
    token = token_for("viewer")
    mentors = client.get("/api/v1/cities?role=mentor&limit=500", headers=bearer(token)).get_json()
    assert mentors["total"] == 11
    dortmund = next(c for c in mentors["items"] if c["slug"] == "dortmund")
    assert (dortmund["country"], dortmund["latitude"]) == ("DE", 51.5136)
    german = client.get("/api/v1/cities?country=DE", headers=bearer(token)).get_json()
    assert {c["slug"] for c in german["items"]} == {
        "bamberg",
        "dortmund",
        "gelsenkirchen",
        "heidelberg",
        "mannheim",
    }
    actions = client.get(
        "/api/v1/actions?city=dortmund&limit=500", headers=bearer(token)
    ).get_json()
    assert actions["total"] == 10
    one = client.get("/api/v1/cities/dortmund", headers=bearer(token)).get_json()
    assert one["role"] == "mentor"
    assert one["participations"][0]["joined_on"] == "2023-07-13"
    slips = client.get("/api/v1/milestones?city=bamberg", headers=bearer(token)).get_json()
    assert slips["total"] == 1
    assert slips["items"][0]["slips"] == []


@pytest.mark.parametrize(
    "query",
    [
        "limit=501",
        "limit=0",
        "limit=ten",
        "offset=-1",
        "role=king",
        "country=de",
        "city=Not A Slug",
        "updated_since=yesterday",
        "colour=green",
    ],
)
def test_bad_query_parameters_are_a_400_naming_the_parameter(client, query):
    token = token_for("viewer")
    response = client.get(f"/api/v1/cities?{query}", headers=bearer(token))
    if query.startswith("updated_since"):
        response = client.get(f"/api/v1/actions?{query}", headers=bearer(token))
    assert response.status_code == 400
    body = response.get_json()
    assert body["errors"][0]["field"] == query.split("=")[0]


def test_unknown_ids_are_404_problems(client):
    token = token_for("lead")
    for url in (
        "/api/v1/actions/999999",
        "/api/v1/cities/atlantis",
        "/api/v1/indicators/999999/values",
        "/api/v1/actions/99999999999999999999",
        "/api/v1/nothing-here",
    ):
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 404, url
        assert response.mimetype == "application/problem+json"
    response = client.post(
        "/api/v1/actions/999999/progress",
        headers=bearer(token),
        json={"reported_on": TODAY, "status": "on_track", "percent_complete": 1},
    )
    assert response.status_code == 404


def test_logging_progress_through_the_api_uses_the_same_service(client, world):
    token = token_for("editor", "bamberg")
    action = world["action"]
    response = client.post(
        f"/api/v1/actions/{action.id}/progress",
        headers=bearer(token),
        json={
            "reported_on": TODAY,
            "status": "at_risk",
            "percent_complete": 45,
            "note": "Supplier late",
            "evidence_url": "https://example.org/minutes",
            "indicator_id": world["indicator"].id,
            "indicator_value": 120.5,
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert (body["status"], body["percent_complete"], body["author"]) == (
        "at_risk",
        45,
        "api-editor-bamberg@example.org",
    )
    db.session.refresh(action)
    assert (action.status, action.percent_complete) == ("at_risk", 45)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "progress.log"))
    assert event.after["percent_complete"] == 45
    assert event.before["status"] is None


BAD_BODIES: list[tuple[Any, int, str | None]] = [
    (None, 400, None),  # not JSON at all: sent as text below
    ([1, 2], 400, None),
    ({"reported_on": TODAY, "status": "on_track"}, 422, "percent_complete"),
    (
        {"reported_on": TODAY, "status": "on_track", "percent_complete": "50"},
        422,
        "percent_complete",
    ),
    (
        {"reported_on": TODAY, "status": "on_track", "percent_complete": 50.5},
        422,
        "percent_complete",
    ),
    (
        {"reported_on": TODAY, "status": "on_track", "percent_complete": 101},
        422,
        "percent_complete",
    ),
    (
        {"reported_on": TODAY, "status": "on_track", "percent_complete": True},
        422,
        "percent_complete",
    ),
    ({"reported_on": TODAY, "status": "finished", "percent_complete": 5}, 422, "status"),
    (
        {"reported_on": "2024-13-01", "status": "on_track", "percent_complete": 5},
        422,
        "reported_on",
    ),
    (
        {
            "reported_on": (date.today() + timedelta(days=1)).isoformat(),
            "status": "on_track",
            "percent_complete": 5,
        },
        409,  # what is refused by what is stored or by today is a conflict, not a bad body
        "reported_on",
    ),
    (
        {"reported_on": "2023-08-01", "status": "on_track", "percent_complete": 5},
        409,
        "reported_on",
    ),
    (
        {
            "reported_on": TODAY,
            "status": "on_track",
            "percent_complete": 5,
            "evidence_url": "javascript:alert(1)",
        },
        422,
        "evidence_url",
    ),
    (
        {"reported_on": TODAY, "status": "on_track", "percent_complete": 5, "note": "x" * 2001},
        422,
        "note",
    ),
    (
        {"reported_on": TODAY, "status": "on_track", "percent_complete": 5, "mood": "good"},
        422,
        "mood",
    ),
    ({"reported_on": TODAY, "status": "done", "percent_complete": 90}, 422, "percent_complete"),
    (
        {
            "reported_on": TODAY,
            "status": "on_track",
            "percent_complete": 5,
            "indicator_id": 999999,
            "indicator_value": 1,
        },
        409,
        "indicator_id",
    ),
    (
        {"reported_on": TODAY, "status": "on_track", "percent_complete": 5, "note": None},
        422,
        "note",
    ),
]


@pytest.mark.parametrize(("payload", "status", "field"), BAD_BODIES)
def test_bad_bodies_are_refused_and_store_nothing(client, world, payload, status, field):
    token = token_for("lead")
    url = f"/api/v1/actions/{world['action'].id}/progress"
    before = snapshot()
    if payload is None:
        response = client.post(
            url, headers={**bearer(token), "Content-Type": "application/json"}, data="{not json"
        )
    else:
        response = client.post(url, headers=bearer(token), json=payload)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    if field:
        assert field in [e["field"] for e in response.get_json()["errors"]]
    assert snapshot() == before


def test_a_body_that_is_not_json_is_415(client, world):
    token = token_for("lead")
    response = client.post(
        f"/api/v1/actions/{world['action'].id}/progress",
        headers=bearer(token),
        data="reported_on=2024-01-01",
    )
    assert response.status_code == 415


def test_milestone_reports_done_and_move(client, world):
    token = token_for("editor", "bamberg")
    milestone = world["milestone"]
    url = f"/api/v1/milestones/{milestone.id}/progress"
    assert (
        client.post(
            url, headers=bearer(token), json={"kind": "move", "due_on": "2031-01-01"}
        ).status_code
        == 422
    )  # a move needs its reason
    moved = client.post(
        url,
        headers=bearer(token),
        json={"kind": "move", "due_on": "2031-01-01", "note": "Council postponed"},
    )
    assert moved.status_code == 201
    assert moved.get_json()["due_on"] == "2031-01-01"
    stale = client.post(
        url, headers=bearer(token), json={"kind": "done", "completed_on": TODAY, "version": 1}
    )
    assert stale.status_code == 409
    done = client.post(url, headers=bearer(token), json={"kind": "done", "completed_on": TODAY})
    assert done.status_code == 201
    db.session.refresh(milestone)
    assert milestone.completed_on == date.today()
    assert milestone.due_on == date(2031, 1, 1)
    listed = client.get("/api/v1/milestones?city=bamberg", headers=bearer(token)).get_json()
    assert listed["items"][0]["slips"][0]["reason"] == "Council postponed"


def test_indicator_values(client, world):
    token = token_for("editor", "bamberg")
    url = f"/api/v1/indicators/{world['indicator'].id}/values"
    assert (
        client.post(
            url, headers=bearer(token), json={"measured_on": TODAY, "value": 300}
        ).status_code
        == 201
    )
    for bad, status in (
        ({"measured_on": TODAY}, 422),
        ({"measured_on": TODAY, "value": "many"}, 422),
        ({"measured_on": "2999-01-01", "value": 1}, 409),  # refused by today's date
        ({"measured_on": TODAY, "value": 1e13}, 422),
    ):
        before = snapshot()
        assert client.post(url, headers=bearer(token), json=bad).status_code == status
        assert snapshot() == before
    values = client.get(url, headers=bearer(token)).get_json()
    assert [v["value"] for v in values["items"]] == [300.0]


WRITES = {
    "action progress": (
        lambda w: f"/api/v1/actions/{w['action'].id}/progress",
        {"reported_on": TODAY, "status": "on_track", "percent_complete": 10},
    ),
    "milestone report": (
        lambda w: f"/api/v1/milestones/{w['milestone'].id}/progress",
        {"kind": "done", "completed_on": TODAY},
    ),
    "indicator value": (
        lambda w: f"/api/v1/indicators/{w['indicator'].id}/values",
        {"measured_on": TODAY, "value": 7},
    ),
}
WHO = {
    "no token": (None, None, 401),
    "revoked token": ("lead", None, 401),
    "viewer": ("viewer", None, 403),
    "editor of another city": ("editor", "heidelberg", 403),
    "editor": ("editor", "bamberg", 201),
    "lead": ("lead", None, 201),
    "admin": ("admin", None, 201),
}


@pytest.mark.parametrize("who", list(WHO))
@pytest.mark.parametrize("write", list(WRITES))
def test_write_permissions(client, world, write, who):
    role, city, expected = WHO[who]
    headers = {}
    if role:
        token = token_for(role, city)
        headers = bearer(token)
        if who == "revoked token":
            row = db.session.scalar(sa.select(ApiToken).order_by(ApiToken.id.desc()))
            tokens.revoke_token(make_user("admin", email="revoker@example.org"), row)
            db.session.commit()
    url, payload = WRITES[write]
    before = snapshot()
    last_event = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    response = client.post(url(world), headers=headers, json=payload)
    assert response.status_code == expected, response.get_json()
    if expected == 201:
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.id > last_event)
            )
            == 1
        )
    else:
        assert response.mimetype == "application/problem+json"
        assert snapshot() == before


def test_programme_milestones_through_the_api_are_the_leads(client):
    milestone = db.session.scalar(
        sa.select(Milestone).where(Milestone.slug == "icc-2023-25/lgd-target")
    )
    body = {"kind": "move", "due_on": "2025-06-30", "note": "extended"}
    editor = token_for("editor", "bamberg")
    assert (
        client.post(
            f"/api/v1/milestones/{milestone.id}/progress", headers=bearer(editor), json=body
        ).status_code
        == 403
    )
    lead = token_for("lead")
    assert (
        client.post(
            f"/api/v1/milestones/{milestone.id}/progress", headers=bearer(lead), json=body
        ).status_code
        == 201
    )


def test_updated_since_returns_only_newer_reports(client, world):
    token = token_for("lead")
    client.post(
        f"/api/v1/actions/{world['action'].id}/progress",
        headers=bearer(token),
        json={"reported_on": TODAY, "status": "on_track", "percent_complete": 10},
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate)) == 1
    recent = client.get(
        "/api/v1/progress-updates?updated_since=2000-01-01T00:00:00Z", headers=bearer(token)
    ).get_json()
    future = client.get(
        "/api/v1/progress-updates?updated_since=2999-01-01T00:00:00Z", headers=bearer(token)
    ).get_json()
    assert (recent["total"], future["total"]) == (1, 0)
