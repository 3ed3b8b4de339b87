"""Every JSON body the API reads is parsed with a size and a depth limit: too large is a 413,
nested too deeply a 400, both problem documents, and nothing is stored."""

from __future__ import annotations

import io
import json

import pytest

from tests.factories import make_action, make_indicator, make_milestone, make_plan
from tests.helpers import snapshot
from tests.web.test_api import bearer, token_for
from tracker.api import MAX_QUERY_BYTES
from tracker.api.reading import MAX_DEPTH

REPORT = {"reported_on": "2024-05-01", "status": "on_track", "percent_complete": 10}


@pytest.fixture
def targets(app):
    plan = make_plan("bamberg")
    action = make_action(plan)
    return {
        "progress": f"/api/v1/actions/{action.id}/progress",
        "milestone": f"/api/v1/milestones/{make_milestone(plan).id}/progress",
        "value": f"/api/v1/indicators/{make_indicator(action).id}/values",
    }


@pytest.fixture
def editor(app):
    return bearer(token_for("editor", "bamberg"))


def send(client, url, raw: str | bytes, headers: dict[str, str]):
    return client.post(url, data=raw, content_type="application/json", headers=headers)


@pytest.mark.parametrize("which", ["progress", "milestone", "value"])
@pytest.mark.parametrize(
    "raw",
    [
        "[" * 60_000,  # what once ran the parser out of stack (a 500)
        '{"a": ' * 10_000,
        # One level past the limit, in a field: the object, then MAX_DEPTH lists.
        json.dumps({**REPORT, "note": "LISTS"}).replace(
            '"LISTS"', "[" * MAX_DEPTH + "]" * MAX_DEPTH
        ),
    ],
    ids=["brackets", "braces", "deep-field"],
)
def test_a_body_nested_too_deeply_is_a_400_problem_and_stores_nothing(
    client, targets, editor, which, raw
):
    before = snapshot()
    response = send(client, targets[which], raw, editor)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "nested" in response.get_json()["detail"]
    assert snapshot() == before


def test_a_body_nested_to_the_limit_is_read_and_judged_by_its_fields(client, targets, editor):
    note = json.loads("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))  # with the object: the limit
    response = send(client, targets["progress"], json.dumps({**REPORT, "note": note}), editor)
    assert response.status_code == 422  # read: the note is not a text
    assert any(e["field"] == "note" for e in response.get_json()["errors"])


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "chunked"])
def test_a_body_over_the_limit_is_a_413_problem_and_stores_nothing(
    app, client, targets, editor, declared
):
    limit = app.config["API_MAX_BODY_BYTES"]
    raw = json.dumps({**REPORT, "note": "x" * limit})
    before = snapshot()
    if declared:
        response = send(client, targets["progress"], raw, editor)
    else:  # no Content-Length: the body arrives as a stream, and is cut at the limit
        response = client.post(
            targets["progress"],
            input_stream=io.BytesIO(raw.encode()),
            headers={**editor, "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},  # as a server marks a chunked body
        )
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert f"{limit:,}" in response.get_json()["detail"]
    assert snapshot() == before


def test_a_body_that_is_not_json_is_a_400_problem(client, targets, editor):
    response = send(client, targets["progress"], '{"reported_on": ', editor)
    assert response.status_code == 400
    assert response.get_json()["detail"] == "The body is not valid JSON."


def test_a_report_within_the_limits_is_stored(client, targets, editor):
    assert send(client, targets["progress"], json.dumps(REPORT), editor).status_code == 201


@pytest.mark.parametrize("which", ["progress", "milestone", "value"])
@pytest.mark.parametrize(
    "raw",
    [json.dumps(REPORT), '{"percent_complete": "lots"}', "not json", "[" * 1000],
    ids=["valid", "invalid", "not-json", "deep"],
)
def test_who_may_not_write_is_refused_before_the_body_is_read(client, targets, which, raw):
    """A viewer, or another city's editor, gets 403 whatever it sends: the validation rules
    are told only to those who may write."""
    tokens = (token_for("viewer"), token_for("editor", "heidelberg"))
    before = snapshot()
    for token in tokens:
        response = send(client, targets[which], raw, bearer(token))
        assert response.status_code == 403
        assert response.mimetype == "application/problem+json"
        assert "errors" not in response.get_json()
    assert snapshot() == before


def test_a_query_string_over_the_limit_is_the_apps_own_documented_414(client, editor):
    from tracker.api.openapi import document

    long = "/api/v1/actions?city=" + "b" * MAX_QUERY_BYTES
    response = client.get(long, headers=editor)
    assert response.status_code == 414
    assert response.mimetype == "application/problem+json"
    assert f"{MAX_QUERY_BYTES:,}" in response.get_json()["detail"]
    assert client.get("/api/v1/actions?city=bamberg", headers=editor).status_code == 200
    for path, operations in document()["paths"].items():
        for method, operation in operations.items():
            assert "414" in operation["responses"], (method, path)
