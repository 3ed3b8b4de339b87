"""Weak passwords are refused, with the reason, wherever a password is set: an admin creating an
account or resetting one, a person changing their own, and the command line."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_user
from tests.helpers import login, page_text, snapshot
from tracker.extensions import db
from tracker.models import User

WEAK = [
    ("aaaaaaaaaaaa", "Repeats"),
    ("password1234", "very common password"),
    ("qwertyuiop12", "too weak"),
    ("new.person@example.org", "must not be your e-mail"),
    ("new.person2024", "too weak"),
]


@pytest.fixture
def admin(client, app):
    make_user("admin")
    login(client, "admin-all@example.org")
    return client


@pytest.mark.parametrize(("password", "reason"), WEAK)
def test_account_creation_refuses_a_weak_password(admin, password, reason):
    before = snapshot()
    response = admin.post(
        "/admin/users",
        data={"email": "new.person@example.org", "role": "viewer", "password": password},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = html.split('id="password-error">', 1)[1].split("</p>", 1)[0]
    assert reason.lower() in error.lower()
    assert snapshot() == before


def test_an_admin_reset_refuses_a_weak_password(admin):
    user = make_user("viewer", email="new.person@example.org")
    before = snapshot()
    response = admin.post(f"/admin/users/{user.id}/password", data={"password": "password1234"})
    assert response.status_code == 400
    assert "too weak" in page_text(response)
    assert snapshot() == before


def test_changing_ones_own_password_refuses_a_weak_one(client, app):
    user = make_user("viewer", email="new.person@example.org")
    login(client, user.email)
    before = snapshot()
    response = client.post(
        "/auth/password",
        data={
            "current_password": PASSWORD,
            "new_password": "new.person@example.org",
            "confirm": "new.person@example.org",
        },
    )
    assert response.status_code == 400
    assert "must not be your e-mail" in page_text(response)
    assert snapshot() == before


def test_the_command_line_refuses_a_weak_password(runner):
    result = runner.invoke(
        args=["users", "create", "ops@example.org", "--role", "lead", "--password-stdin"],
        input="aaaaaaaaaaaa\n",
    )
    assert result.exit_code != 0
    assert "too weak" in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "ops@example.org")) is None


def test_a_strong_password_of_any_characters_is_accepted(admin):
    response = admin.post(
        "/admin/users",
        data={
            "email": "new.person@example.org",
            "role": "viewer",
            "password": "Grüne Dächer über Dortmund 🌞",
        },
    )
    assert response.status_code == 302


# Built on the app's, the programme's or a city's name: the first things anyone would try here.
SITE_WORDS = ["Dortmund2025!", "icc-tracker-2025", "IntelligentCities2025"]


@pytest.mark.parametrize("password", SITE_WORDS)
def test_a_password_built_on_the_sites_own_names_is_refused_everywhere(
    admin, app, runner, password
):
    before = snapshot()
    created = admin.post(
        "/admin/users",
        data={"email": "new.person@example.org", "role": "viewer", "password": password},
    )
    assert created.status_code == 400
    assert "too weak" in page_text(created)
    assert snapshot() == before
    user = make_user("viewer", email="someone@example.org")
    before = snapshot()
    reset = admin.post(f"/admin/users/{user.id}/password", data={"password": password})
    assert reset.status_code == 400
    result = runner.invoke(
        args=["users", "create", "ops@example.org", "--role", "lead", "--password-stdin"],
        input=password + "\n",
    )
    assert result.exit_code != 0
    assert "too weak" in result.output
    own = app.test_client()
    login(own, user.email)
    changed = own.post(
        "/auth/password",
        data={"current_password": PASSWORD, "new_password": password, "confirm": password},
    )
    assert changed.status_code == 400
    snapshot_after = snapshot()
    snapshot_after.pop("audit_events"), before.pop("audit_events")  # the sign-in is audited
    snapshot_after.pop("user_sessions"), before.pop("user_sessions")
    assert snapshot_after == before
