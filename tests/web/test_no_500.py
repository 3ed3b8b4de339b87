"""No input gives a 500: every GET route of the app, taken from its URL map, requested with
hostile path values and query strings, signed in and signed out, answers below 500."""

from __future__ import annotations

import pytest

from tests.factories import make_user
from tests.helpers import login

HOSTILE_IDS = ["9223372036854775808", "2147483648", "99999999999999999999999", "0", "-1", "1"]
HOSTILE_TEXT = ["x", "%00", "..%2F..%2Fetc", "%0d%0aX:1", "a" * 300, "dortmund"]
HOSTILE_QUERIES = [
    "",
    "?endpoint=x&_external=1&_anchor=y",
    "?format=csv&table=../../x",
    "?format=csv&table=%00",
    "?limit=%D9%A3&offset=1000000000000000000000",
    "?city=%00&country=%0d%0a&sector=%ff&state=%2e%2e&sort=%3Cscript%3E&page=-1",
    "?next=%0d%0aX:1&updated_since=9999-99-99",
    "?date_from=2024-02-30&date_to=x&user=" + "u" * 500,
    "?role=admin&status=on_track&kind=x&late=2",
]


def values_for(converter: str) -> list[str]:
    return HOSTILE_IDS if converter in {"IdConverter", "IntegerConverter"} else HOSTILE_TEXT


def urls(app) -> list[str]:
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        paths = [rule.rule]
        for name, converter in rule._converters.items():
            paths = [_fill(p, name, v) for p in paths for v in values_for(type(converter).__name__)]
        found += [p + q for p in paths for q in HOSTILE_QUERIES]
    return found


def _fill(path: str, name: str, value: str) -> str:
    start = path.index("<")
    while not path[start:].split(">", 1)[0].endswith(name):
        start = path.index("<", start + 1)
    end = path.index(">", start)
    return path[:start] + value + path[end + 1 :]


@pytest.mark.parametrize("who", ["signed_out", "lead"])
def test_no_get_route_answers_5xx_to_hostile_input(app, who):
    client = app.test_client()
    if who == "lead":
        make_user("lead")
        login(client, "lead-all@example.org")
    failures = []
    for url in urls(app):
        response = client.get(url)
        response.close()
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {url}")
    assert failures == []


def test_a_nul_character_in_a_form_or_a_json_body_is_refused_and_stores_nothing(app):
    from datetime import date

    from tests.factories import make_action, make_plan
    from tests.helpers import snapshot
    from tracker.extensions import db
    from tracker.services import tokens

    action = make_action(make_plan("bamberg", started_on=date(2023, 9, 1)))
    user = make_user("editor", city="bamberg")
    token = tokens.issue_token(None, user, "t", actor_label="test")
    db.session.commit()
    client = app.test_client()
    login(client, user.email)
    before = snapshot()
    report = {"reported_on": "2024-05-01", "status": "on_track", "note": "a\x00b"}
    form = client.post(f"/actions/{action.id}/progress", data={**report, "percent_complete": "5"})
    assert form.status_code == 400
    assert "NUL character" in form.get_data(as_text=True)
    body = client.post(
        f"/api/v1/actions/{action.id}/progress",
        json={**report, "percent_complete": 5},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert body.status_code == 422
    assert "NUL" in str(body.get_json())
    assert snapshot() == before


def test_a_method_not_allowed_names_the_allowed_ones(app):
    client = app.test_client()
    for url in ("/auth/login", "/api/v1/programmes"):
        response = client.delete(url)
        assert response.status_code == 405
        assert "GET" in response.headers["Allow"], url
