"""Smaller holes: formula neutralising covers every start a spreadsheet may run, error bodies
do not echo raw input, a failed sign-in stores no typed text as its actor, and numeric query
parameters take ASCII digits only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import make_user
from tracker.extensions import db
from tracker.models import AuditEvent
from tracker.services import tokens
from tracker.tables import neutralise, restore

STARTS = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\n=1",
    " =1",
    "|calc",
    "%0A",
    "\uff1d1+1",
    "\uff0b1",
    "\uff0d1",
    "\uff20A1",
]


@pytest.mark.parametrize("text", STARTS)
def test_every_formula_start_is_neutralised_and_restored(text):
    assert neutralise(text) == "'" + text
    assert restore(neutralise(text)) == text


def test_plain_text_and_numbers_are_left_alone():
    assert neutralise("Solar on schools") == "Solar on schools"
    assert neutralise(-5) == -5


@pytest.fixture
def api(app):
    token = tokens.issue_token(None, make_user("viewer"), "t", actor_label="test")
    db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_problem_documents_do_not_echo_raw_input(api):
    hostile = "<script>alert(1)</script>" + "x" * 500
    response = api.get("/api/v1/actions", query_string={hostile: "1", "limit": hostile})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "<script>" not in text
    assert "x" * 100 not in text
    assert "unknown query parameter" in text
    assert "must be a whole number" in text


@pytest.mark.parametrize("limit", ["\u0663", "\uff11", "1\u0660"])
def test_numeric_query_parameters_take_ascii_digits_only(api, limit):
    response = api.get("/api/v1/actions", query_string={"limit": limit})
    assert response.status_code == 400


def test_an_offset_the_document_allows_is_accepted(api):
    response = api.get("/api/v1/actions", query_string={"offset": "1000000000"})
    assert response.status_code == 200
    assert response.get_json()["items"] == []


def test_a_failed_sign_in_never_stores_the_typed_text(client):
    typed = "my secret password typed into the e-mail field"
    client.post("/auth/login", data={"email": typed, "password": "x"})
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "auth.sign_in_failed"))
    assert event.actor == "(not an e-mail address)"
    assert typed not in str(event.before) + str(event.after)
