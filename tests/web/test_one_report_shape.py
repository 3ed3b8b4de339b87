"""A progress report is one shape with one set of rules, whichever door it comes in by: the web
form, the API and an import refuse the same bad report with the same words."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.factories import make_action, make_plan, make_user
from tests.helpers import login, snapshot, upload
from tracker.extensions import db
from tracker.queries import keys
from tracker.services import tokens

TRACKER = Path(__file__).resolve().parents[2] / "tracker"
TOMORROW = (date.today() + timedelta(days=1)).isoformat()

BAD_REPORTS = [
    (
        {"reported_on": "2024-05-01", "status": "done", "percent_complete": "90"},
        "percent_complete",
        "An action that is done is 100 percent complete.",
    ),
    (
        {"reported_on": TOMORROW, "status": "on_track", "percent_complete": "10"},
        "reported_on",
        "The reported date cannot be in the future.",
    ),
    (
        {"reported_on": "2023-01-01", "status": "on_track", "percent_complete": "10"},
        "reported_on",
        "The reported date cannot be before the plan began (1 Sep 2023).",
    ),
    (
        {
            "reported_on": "2024-05-01",
            "status": "on_track",
            "percent_complete": "10",
            "indicator_value": "5",
        },
        "indicator_id",
        "Give an indicator and its value together.",
    ),
]


@pytest.fixture
def doors(app):
    action = make_action(make_plan("bamberg"))
    user = make_user("lead", email="three-doors@example.org")
    token = tokens.issue_token(None, user, "test", actor_label="test")
    db.session.commit()
    web = app.test_client()
    login(web, "three-doors@example.org")
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return action, web, api


def _json(report: dict[str, str]) -> dict[str, object]:
    body: dict[str, object] = dict(report)
    body["percent_complete"] = int(report["percent_complete"])
    if "indicator_value" in report:
        body["indicator_value"] = float(report["indicator_value"])
    return body


def _csv(action, report: dict[str, str]) -> bytes:
    row = {"external_id": "door-test-1", "action": keys.action_ref(action), **report}
    return (",".join(row) + "\n" + ",".join(row.values()) + "\n").encode()


@pytest.mark.parametrize(("report", "field", "reason"), BAD_REPORTS)
def test_the_same_bad_report_gets_the_same_reason_at_every_door(doors, report, field, reason):
    action, web, api = doors
    before = snapshot()

    page = web.post(f"/actions/{action.id}/progress", data={"indicator_id": "None", **report})
    assert page.status_code == 400
    assert reason in html.unescape(page.get_data(as_text=True))

    answer = api.post(f"/api/v1/actions/{action.id}/progress", json=_json(report))
    assert answer.status_code in {409, 422}
    assert {"field": field, "reason": reason} in answer.get_json()["errors"]

    preview = upload(web, "progress", _csv(action, report), apply=False)
    assert preview.status_code == 400
    assert reason in html.unescape(preview.get_data(as_text=True))

    after = snapshot()
    after.pop("import_batches"), before.pop("import_batches")
    assert after == before


def test_the_progress_report_fields_are_declared_in_one_model():
    """Outside the report model, no module declares the report's fields again (as a model
    field, a field table or a seed column); the web form's own fields are the exception."""
    declaration = re.compile(
        r"^\s+(percent_complete|indicator_value)\s*(:\s*\w|=\s*\w*Field\()"
        r"|[\"'](percent_complete|indicator_value)[\"']\s*:\s*(Field|Value)\("
    )
    declared = {
        str(path.relative_to(TRACKER))
        for path in TRACKER.rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if declaration.search(line)
    }
    # models: the stored columns; records: what the API answers with; forms: the web form;
    # seed_specs: an action's seeded current state (the actions table), not a report.
    assert declared == {
        "seed_specs.py",
        "schemas/reports.py",
        "schemas/records.py",
        "models/plan.py",
        "models/progress.py",
        "actions/forms.py",
    }
