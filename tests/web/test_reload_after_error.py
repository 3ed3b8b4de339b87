"""Reloading the page shown after a form error sends a GET to the form's address: it leads back
to the form, never to "405 Method not allowed", and changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_action, make_milestone, make_plan, make_user
from tests.helpers import login, snapshot
from tracker.services import tokens


@pytest.fixture
def world(client, app):
    plan = make_plan("bamberg")
    action = make_action(plan)
    milestone = make_milestone(plan, due_on=date(2030, 1, 1))
    user = make_user("admin")
    tokens.issue_token(None, user, "script", actor_label="test")
    from tracker.extensions import db
    from tracker.models import ApiToken

    db.session.commit()
    token_id = db.session.scalar(sa.select(ApiToken.id))
    login(client, user.email)
    return {"action": action, "milestone": milestone, "user": user, "token_id": token_id}


def addresses(w):
    a, m, u = w["action"].id, w["milestone"].id, w["user"].id
    return {
        f"/actions/{a}/progress": f"/actions/{a}#log",
        f"/milestones/{m}/done": f"/milestones/{m}",
        f"/milestones/{m}/move": f"/milestones/{m}",
        f"/milestones/{m}/reopen": f"/milestones/{m}",
        f"/admin/users/{u}/password": f"/admin/users/{u}/edit",
        f"/admin/users/{u}/tokens": f"/admin/users/{u}/edit#tokens",
        f"/admin/tokens/{w['token_id']}/revoke": f"/admin/users/{u}/edit#tokens",
        "/import/some-batch/apply": "/import",
    }


def test_a_get_on_a_form_address_leads_back_to_the_form(client, world):
    before = snapshot()
    for address, form_page in addresses(world).items():
        response = client.get(address)
        assert response.status_code == 302, address
        assert response.headers["Location"] == form_page, address
        assert client.get(form_page.split("#")[0]).status_code == 200, form_page
    assert snapshot() == before


def test_after_an_error_the_reload_shows_the_form_again(client, world):
    action = world["action"]
    shown = client.post(
        f"/actions/{action.id}/progress",
        data={"reported_on": "2024-05-01", "status": "on_track", "percent_complete": "150"},
    )
    assert shown.status_code == 400
    reloaded = client.get(f"/actions/{action.id}/progress", follow_redirects=True)
    assert reloaded.status_code == 200
    assert "Log progress" in reloaded.get_data(as_text=True)
