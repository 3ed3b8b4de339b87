"""Accounts (admins), own password (everyone), the audit log (leads and admins)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_user
from tests.helpers import form_fields, login, page_text, snapshot
from tracker.extensions import db
from tracker.models import ApiToken, AuditEvent, User


@pytest.fixture
def admin(client, app):
    make_user("admin")
    login(client, "admin-all@example.org")
    return client


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def copy_session(app, client):
    replay = app.test_client()
    replay.set_cookie("session", client.get_cookie("session").value)
    return replay


def test_admin_creates_an_editor_who_can_sign_in(admin, app):
    response = admin.post(
        "/admin/users",
        data={
            "email": "Clara@Bamberg.de",
            "name": "Clara",
            "role": "editor",
            "city": "bamberg",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "clara@bamberg.de"))
    assert (user.role, user.city.slug) == ("editor", "bamberg")
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.verb == "user.create", AuditEvent.entity_id == str(user.id)
        )
    )
    assert event.actor == "admin-all@example.org"
    assert event.after["role"] == "editor"
    assert login(app.test_client(), "clara@bamberg.de").status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"role": "editor", "city": ""}, "city", "works for one city"),
        ({"role": "viewer", "city": "bamberg"}, "city", "takes none"),
        ({"role": "editor", "city": "atlantis"}, "city", "Not a valid choice"),
        ({"role": "god"}, "role", "Not a valid choice"),
        ({"password": "short"}, "password", "between 12 and 128"),
        ({"password": "a" * 129}, "password", "between 12 and 128"),
        ({"email": "not an email"}, "email", "valid e-mail"),
        ({"email": "admin-all@example.org"}, "email", "exists already"),
    ],
)
def test_account_creation_bad_input(admin, data, field, message):
    form = {
        "email": "new@example.org",
        "name": "",
        "role": "viewer",
        "city": "",
        "password": PASSWORD,
        **data,
    }
    before = snapshot()
    response = admin.post("/admin/users", data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message.lower() in error.lower()
    assert snapshot() == before


def test_deactivating_a_user_ends_their_session_even_a_copied_cookie(admin, app):
    viewer = make_user("viewer")
    victim = app.test_client()
    login(victim, viewer.email)
    copied = copy_session(app, victim)
    assert signed_in(copied)
    response = admin.post(
        f"/admin/users/{viewer.id}/edit",
        data={"name": "", "role": "viewer", "city": "", "version": viewer.version},
    )  # is_active unticked
    assert response.status_code == 302
    assert not signed_in(victim)
    assert not signed_in(copied)
    assert login(app.test_client(), viewer.email).status_code == 400


def test_changing_a_role_signs_the_user_out_so_new_rules_apply(admin, app):
    viewer = make_user("viewer")
    victim = app.test_client()
    login(victim, viewer.email)
    admin.post(
        f"/admin/users/{viewer.id}/edit",
        data={"name": "", "role": "lead", "city": "", "is_active": "y", "version": viewer.version},
    )
    assert not signed_in(victim)
    db.session.refresh(viewer)
    assert viewer.role == "lead"


def test_an_admin_cannot_lock_themselves_out(admin):
    me = db.session.scalar(sa.select(User).where(User.email == "admin-all@example.org"))
    before = snapshot()
    response = admin.post(
        f"/admin/users/{me.id}/edit",
        data={"name": "", "role": "viewer", "city": "", "is_active": "y", "version": me.version},
    )
    assert response.status_code == 400
    assert "own administrator access" in page_text(response)
    assert snapshot() == before


def test_password_reset_ends_sessions_and_sets_the_new_password(admin, app):
    viewer = make_user("viewer")
    victim = app.test_client()
    login(victim, viewer.email)
    assert (
        admin.post(f"/admin/users/{viewer.id}/password", data={"password": "short"}).status_code
        == 400
    )
    assert signed_in(victim)
    response = admin.post(
        f"/admin/users/{viewer.id}/password", data={"password": "a brand new password"}
    )
    assert response.status_code == 302
    assert not signed_in(victim)
    assert login(app.test_client(), viewer.email, "a brand new password").status_code == 302
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "user.reset_password"))
    assert "a brand new password" not in str(event.after) + str(event.before)


def test_changing_ones_own_password_ends_the_other_sessions(client, app):
    user = make_user("viewer")
    login(client, user.email)
    other = app.test_client()
    login(other, user.email)
    form = {
        "current_password": PASSWORD,
        "new_password": "another long password",
        "confirm": "another long password",
    }
    for bad, field in (
        ({"current_password": "wrong password!!"}, "current_password"),
        ({"confirm": "something else entirely"}, "confirm"),
        ({"new_password": "short", "confirm": "short"}, "new_password"),
        ({"new_password": PASSWORD, "confirm": PASSWORD}, "new_password"),
    ):
        before = snapshot()
        response = client.post("/auth/password", data={**form, **bad})
        assert response.status_code == 400
        assert f'id="{field}-error"' in response.get_data(as_text=True)
        assert snapshot() == before
    assert client.post("/auth/password", data=form).status_code == 302
    assert signed_in(client)
    assert not signed_in(other)
    assert login(app.test_client(), user.email, "another long password").status_code == 302


def test_audit_log_for_leads_with_filters(client, app):
    make_user("editor", city="bamberg")
    make_user("editor", city="heidelberg")
    make_user("lead")
    login(client, "lead-all@example.org")
    page = page_text(client.get("/admin/audit"))
    assert "user.create" in page
    assert "auth.sign_in" in page
    by_city = page_text(client.get("/admin/audit?city=bamberg"))
    assert "bamberg" in by_city.lower()
    assert "editor-heidelberg@example.org" not in by_city
    by_user = page_text(client.get("/admin/audit?user=lead-all@example.org"))
    assert "auth.sign_in" in by_user
    assert "editor-bamberg" not in by_user
    today = date.today()
    assert "0 events" in page_text(
        client.get(f"/admin/audit?date_to={(today - timedelta(days=2)).isoformat()}")
    )
    assert "0 events" not in page_text(client.get(f"/admin/audit?date_from={today.isoformat()}"))


@pytest.mark.parametrize("query", ["date_from=yesterday", "city=atlantis", "date_to=2024-13-01"])
def test_audit_log_bad_filters_are_a_clear_400(client, app, query):
    make_user("lead")
    login(client, "lead-all@example.org")
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    assert "field-error" in response.get_data(as_text=True)


def test_audit_log_is_refused_to_editors_and_viewers(client, app):
    make_user("editor", city="bamberg")
    login(client, "editor-bamberg@example.org")
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/users").status_code == 403


def test_admin_issues_a_token_shown_once_and_revokes_it(admin, app):
    viewer = make_user("viewer")
    response = admin.post(f"/admin/users/{viewer.id}/tokens", data={"name": "city dashboard"})
    assert response.status_code == 200
    token = re.search(r'<code class="token">([^<]+)</code>', response.get_data(as_text=True)).group(
        1
    )
    api = app.test_client()
    assert (
        api.get("/api/v1/programmes", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    assert token not in admin.get(f"/admin/users/{viewer.id}/edit").get_data(as_text=True)
    row = db.session.scalar(sa.select(ApiToken))
    assert admin.post(f"/admin/tokens/{row.id}/revoke").status_code == 302
    assert (
        api.get("/api/v1/programmes", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )
    before = snapshot()
    assert admin.post(f"/admin/users/{viewer.id}/tokens", data={"name": ""}).status_code == 400
    assert snapshot() == before


def test_tokens_are_the_admins_to_issue(client, app):
    viewer = make_user("viewer")
    make_user("lead")
    login(client, "lead-all@example.org")
    before = snapshot()
    assert client.post(f"/admin/users/{viewer.id}/tokens", data={"name": "x"}).status_code == 403
    assert snapshot() == before


def test_editing_an_editors_name_alone_saves_and_keeps_their_city(admin, app):
    editor = make_user("editor", city="dortmund")
    page = admin.get(f"/admin/users/{editor.id}/edit").get_data(as_text=True)
    fields = form_fields(page, f"/admin/users/{editor.id}/edit")
    assert fields["city"] == "dortmund"  # the form shows the account's real city
    response = admin.post(
        f"/admin/users/{editor.id}/edit", data={**fields, "name": "Klara Schmidt"}
    )
    assert response.status_code == 302, page_text(response)
    db.session.expire_all()
    editor = db.session.get(User, editor.id)
    assert (editor.name, editor.role, editor.city.slug) == ("Klara Schmidt", "editor", "dortmund")


def test_a_new_account_is_a_viewer_unless_chosen_otherwise(admin, app):
    page = admin.get("/admin/users").get_data(as_text=True)
    fields = form_fields(page, "/admin/users")
    assert fields["role"] == "viewer"
    response = admin.post(
        "/admin/users",
        data={**fields, "email": "new@example.org", "password": "a long and unusual passphrase"},
    )
    assert response.status_code == 302, page_text(response)
    assert db.session.scalar(sa.select(User.role).where(User.email == "new@example.org")) == (
        "viewer"
    )


def test_reactivating_an_account_leaves_its_old_tokens_refused(admin, app):
    from tracker.services import tokens

    viewer = make_user("viewer")
    token = tokens.issue_token(None, viewer, "script", actor_label="test")
    db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/programmes", headers=headers).status_code == 200
    url = f"/admin/users/{viewer.id}/edit"
    off = form_fields(admin.get(url).get_data(as_text=True), url)
    off.pop("is_active")
    assert admin.post(url, data=off).status_code == 302
    on = {**form_fields(admin.get(url).get_data(as_text=True), url), "is_active": "y"}
    assert admin.post(url, data=on).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, viewer.id).is_active
    assert api.get("/api/v1/programmes", headers=headers).status_code == 401
    revoked = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == viewer.id)).all()
    assert [t.revoked_at is not None for t in revoked] == [True]
    assert db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.verb == "token.revoke", AuditEvent.entity_id == str(revoked[0].id)
        )
    )
