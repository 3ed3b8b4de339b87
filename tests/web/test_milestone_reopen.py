"""A done milestone keeps its date: moving it is refused until it is reopened, with a reason,
by the city's editors or the leads; both show in its history and the audit trail."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_milestone, make_plan, make_user
from tests.helpers import login, page_text, snapshot
from tracker.extensions import db
from tracker.models import AuditEvent, Milestone, ProgressUpdate


@pytest.fixture
def done_milestone(app):
    milestone = make_milestone(make_plan("bamberg"), due_on=date(2024, 6, 1))
    milestone.completed_on = date(2024, 5, 20)
    db.session.commit()
    return milestone


@pytest.fixture
def editor(client, done_milestone):
    make_user("editor", city="bamberg")
    login(client, "editor-bamberg@example.org")
    return client


def test_moving_a_done_milestone_is_refused_and_changes_nothing(editor, done_milestone):
    before = snapshot()
    response = editor.post(
        f"/milestones/{done_milestone.id}/move",
        data={"due_on": "2025-01-01", "reason": "later", "version": done_milestone.version},
    )
    assert response.status_code == 400
    assert "a done milestone keeps its date" in page_text(response)
    assert snapshot() == before
    # The page offers no move form for a done milestone, only the way to reopen it.
    page = page_text(editor.get(f"/milestones/{done_milestone.id}"))
    assert "Move the due date" not in page
    assert "Reopen" in page


def test_reopening_needs_a_reason_then_is_kept_in_history_and_audit(editor, done_milestone):
    url = f"/milestones/{done_milestone.id}/reopen"
    before = snapshot()
    response = editor.post(url, data={"reason": "  ", "version": done_milestone.version})
    assert response.status_code == 400
    assert 'id="reason-error"' in response.get_data(as_text=True)
    assert snapshot() == before

    response = editor.post(
        url, data={"reason": "Marked done by mistake", "version": done_milestone.version}
    )
    assert response.status_code == 302
    db.session.expire_all()
    milestone = db.session.get(Milestone, done_milestone.id)
    assert milestone.completed_on is None
    report = db.session.scalar(
        sa.select(ProgressUpdate).where(ProgressUpdate.milestone_id == milestone.id)
    )
    assert (report.milestone_event, report.note) == ("reopen", "Marked done by mistake")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "milestone.reopen"))
    assert event.before == {"completed_on": "2024-05-20"}
    assert event.after == {"completed_on": None, "reason": "Marked done by mistake"}
    page = page_text(editor.get(f"/milestones/{milestone.id}"))
    assert "reopened" in page
    assert "Marked done by mistake" in page
    # Open again: it can now be moved.
    response = editor.post(
        f"/milestones/{milestone.id}/move",
        data={"due_on": "2025-01-01", "reason": "later", "version": milestone.version},
    )
    assert response.status_code == 302


def test_reopening_an_open_milestone_is_refused(editor, done_milestone):
    done_milestone.completed_on = None
    db.session.commit()
    before = snapshot()
    response = editor.post(
        f"/milestones/{done_milestone.id}/reopen",
        data={"reason": "why", "version": done_milestone.version},
    )
    assert response.status_code == 400
    assert "nothing to reopen" in page_text(response)
    assert snapshot() == before


def test_the_api_refuses_a_move_and_reopens_with_a_reason(app, done_milestone):
    from tracker.models import User
    from tracker.services import tokens

    user = make_user("lead")
    token = tokens.issue_token(None, db.session.get(User, user.id), "t", actor_label="test")
    db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/milestones/{done_milestone.id}/progress"
    before = snapshot()
    moved = api.post(
        url, json={"kind": "move", "due_on": "2025-01-01", "note": "x"}, headers=headers
    )
    assert moved.status_code == 409
    assert "done milestone" in str(moved.get_json())
    bare = api.post(url, json={"kind": "reopen"}, headers=headers)
    assert bare.status_code == 422
    assert "reason" in str(bare.get_json())
    assert snapshot() == before
    reopened = api.post(url, json={"kind": "reopen", "note": "not finished"}, headers=headers)
    assert reopened.status_code == 201
    db.session.expire_all()
    assert db.session.get(Milestone, done_milestone.id).completed_on is None


def test_a_viewer_and_another_citys_editor_may_not_reopen(client, done_milestone):
    for user in (make_user("viewer"), make_user("editor", city="heidelberg")):
        other = client.application.test_client()
        login(other, user.email)
        before = snapshot()
        response = other.post(
            f"/milestones/{done_milestone.id}/reopen",
            data={"reason": "why", "version": done_milestone.version},
        )
        assert response.status_code == 403
        assert snapshot() == before
