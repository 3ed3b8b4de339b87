"""One submission, one record: every write form carries a one-time key; the same key sent
again stores nothing and leads to the first result. The API honours Idempotency-Key the same
way, per account."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_milestone, make_user
from tests.helpers import form_fields, login, page_text, snapshot
from tracker.api.openapi import document
from tracker.extensions import db
from tracker.models import ApiToken, ProgressUpdate, Submission
from tracker.services import tokens


@pytest.fixture
def editor(editor_client):
    return editor_client  # Bamberg's editor, on the action of tests/web/conftest.py


def count_updates() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(ProgressUpdate)).scalar_one()


def progress_form(client, action) -> dict[str, str]:
    url = f"/actions/{action.id}/progress"
    fields = form_fields(client.get(f"/actions/{action.id}").get_data(as_text=True), url)
    return {**fields, "reported_on": "2024-05-01", "percent_complete": "30"}


def test_the_same_form_sent_twice_stores_one_update(editor, action):
    data = progress_form(editor, action)
    assert data["submission_key"]
    first = editor.post(f"/actions/{action.id}/progress", data=data)
    second = editor.post(f"/actions/{action.id}/progress", data=data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert count_updates() == 1
    shown = page_text(editor.get(second.headers["Location"]))
    assert "sent already" in shown


def test_a_new_key_stores_a_second_update(editor, action):
    editor.post(f"/actions/{action.id}/progress", data=progress_form(editor, action))
    editor.post(f"/actions/{action.id}/progress", data=progress_form(editor, action))
    assert count_updates() == 2


def test_a_form_shown_again_after_an_error_keeps_its_key_and_the_fix_is_stored_once(editor, action):
    data = {**progress_form(editor, action), "percent_complete": "150"}
    shown = editor.post(f"/actions/{action.id}/progress", data=data)
    assert shown.status_code == 400
    again = form_fields(shown.get_data(as_text=True), f"/actions/{action.id}/progress")
    assert again["submission_key"] == data["submission_key"]
    fixed = {**again, "percent_complete": "50"}
    editor.post(f"/actions/{action.id}/progress", data=fixed)
    editor.post(f"/actions/{action.id}/progress", data=fixed)
    assert count_updates() == 1


def test_one_key_cannot_carry_two_different_forms(editor, action):
    milestone = make_milestone(action.plan)
    data = progress_form(editor, action)
    editor.post(f"/actions/{action.id}/progress", data=data)
    # The same key on another form: treated as a form without a key, never as the first.
    response = editor.post(
        f"/milestones/{milestone.id}/move",
        data={
            "due_on": "2031-01-01",
            "reason": "later",
            "version": milestone.version,
            "submission_key": data["submission_key"],
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/milestones/{milestone.id}"
    db.session.expire_all()
    assert milestone.due_on == date(2031, 1, 1)


def test_every_write_form_carries_a_key(client, app, action):
    admin = make_user("admin")
    login(client, admin.email)
    milestone = make_milestone(action.plan)
    pages = [
        "/",
        f"/actions/{action.id}",
        f"/plans/{action.plan.id}",
        f"/admin/users/{admin.id}/edit",
    ]
    pages += ["/admin/users", "/mentorships/new", "/import", f"/actions/{action.id}/edit"]
    pages.append(f"/milestones/{milestone.id}")
    seen = 0
    for page in pages:
        html = client.get(page).get_data(as_text=True)
        for form in re.findall(r'<form method="post".*?</form>', html, flags=re.S):
            if any(m in form for m in ("auth/logout", "auth/language", "multipart/form-data")):
                # Signing out and choosing a language store no record; an upload only previews
                # (its apply button has a key).
                continue
            assert 'name="submission_key"' in form, (page, form[:200])
            seen += 1
    assert seen >= 9


def test_issuing_a_token_twice_with_one_key_issues_one(client, app):
    admin = make_user("admin")
    viewer = make_user("viewer", email="script@example.org")
    login(client, admin.email)
    url = f"/admin/users/{viewer.id}/tokens"
    fields = form_fields(client.get(f"/admin/users/{viewer.id}/edit").get_data(as_text=True), url)
    data = {**fields, "name": "nightly export"}
    assert client.post(url, data=data).status_code == 200
    assert client.post(url, data=data).status_code == 302
    assert (
        len(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == viewer.id)).all()) == 1
    )


# The API ----------------------------------------------------------------------------------


@pytest.fixture
def api(app, action):
    user = make_user("editor", city="bamberg")
    token = tokens.issue_token(None, user, "t", actor_label="test")
    db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def report(percent: int = 30) -> dict:
    return {"reported_on": "2024-05-01", "status": "on_track", "percent_complete": percent}


def test_the_same_api_write_with_one_key_stores_one_and_answers_the_same(api, action):
    url = f"/api/v1/actions/{action.id}/progress"
    headers = {"Idempotency-Key": "a7f3e2c1-retry"}
    first = api.post(url, json=report(), headers=headers)
    second = api.post(url, json=report(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert count_updates() == 1
    third = api.post(url, json=report(), headers={"Idempotency-Key": "another"})
    assert third.status_code == 201
    assert third.get_json()["id"] != first.get_json()["id"]
    assert count_updates() == 2


def test_one_key_with_another_request_or_a_bad_key_is_refused(api, action):
    url = f"/api/v1/actions/{action.id}/progress"
    api.post(url, json=report(), headers={"Idempotency-Key": "k1"})
    before = snapshot()
    other = api.post(url, json=report(31), headers={"Idempotency-Key": "k1"})
    assert other.status_code == 409
    assert "another request" in other.get_json()["detail"]
    for bad in ("", "x" * 256, "tab\there", "ümlaut"):
        response = api.post(url, json=report(32), headers={"Idempotency-Key": bad})
        assert response.status_code == 400, bad
        assert "Idempotency-Key" in response.get_json()["detail"]
    assert snapshot() == before


def test_keys_are_per_account(api, app, action):
    url = f"/api/v1/actions/{action.id}/progress"
    api.post(url, json=report(), headers={"Idempotency-Key": "shared"})
    lead = make_user("lead")
    other = app.test_client()
    token = tokens.issue_token(None, lead, "t", actor_label="test")
    db.session.commit()
    response = other.post(
        url,
        json=report(),
        headers={"Idempotency-Key": "shared", "Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers
    assert count_updates() == 2


def test_the_document_describes_the_header_on_every_write():
    doc = document()
    writes = [
        operation
        for path in doc["paths"].values()
        for method, operation in path.items()
        if method == "post"
    ]
    # three reports, approving or returning two kinds of report, and the reporting rounds'
    # three (open, close, a city's reports)
    assert len(writes) == 10
    for operation in writes:
        names = [p["name"] for p in operation["parameters"]]
        assert "Idempotency-Key" in names


def test_prune_keeps_keys_for_a_day_at_least(app, runner, api, action):
    from datetime import UTC, datetime, timedelta

    for key in ("recent", "old"):
        api.post(
            f"/api/v1/actions/{action.id}/progress",
            json=report(),
            headers={"Idempotency-Key": key},
        )
    old = db.session.scalar(sa.select(Submission).where(Submission.key == "old"))
    old.created_at = datetime.now(UTC) - timedelta(hours=25)
    db.session.commit()
    app.config["SUBMISSION_KEEP_HOURS"] = 1  # set too low: a day is kept all the same
    runner.invoke(args=["prune"])
    kept = db.session.scalars(sa.select(Submission.key)).all()
    assert kept == ["recent"]


def test_applying_an_import_twice_with_one_key_applies_it_once(editor, action):
    import io

    content = (
        "external_id,action,reported_on,status,percent_complete,note\n"
        f"row-1,bamberg/{action.plan.slug}/{action.slug},2024-05-01,on_track,20,From a sheet\n"
    ).encode()
    preview = editor.post(
        "/import",
        data={"kind": "progress", "file": (io.BytesIO(content), "sheet.csv")},
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    apply_url = re.search(r'action="(/import/[^"]+/apply)"', html).group(1)
    data = form_fields(html, apply_url)
    first = editor.post(apply_url, data=data)
    second = editor.post(apply_url, data=data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"] == "/import"
    assert count_updates() == 1
