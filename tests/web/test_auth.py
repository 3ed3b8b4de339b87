"""Sign-in and sign-out: right and wrong passwords, safe redirects, real sign-out, CSRF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_token, login, row_counts
from tracker.auth.routes import SIGN_IN_REFUSED
from tracker.extensions import db
from tracker.models import AuditEvent, ImportBatch, UserSession


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=%2F")


def test_sign_in_with_the_right_password(client, app):
    user = make_user("viewer")
    response = login(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert signed_in(client)
    assert (
        db.session.scalar(sa.select(AuditEvent.verb).order_by(AuditEvent.id.desc()))
        == "auth.sign_in"
    )


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("viewer-all@example.org", "wrong password!"),
        ("nobody@example.org", PASSWORD),
        ("viewer-all@example.org", ""),
        ("", ""),
    ],
)
def test_sign_in_with_a_wrong_password_or_email_is_refused(client, email, password):
    make_user("viewer")
    response = login(client, email, password)
    assert response.status_code == 400
    assert not signed_in(client)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0


def test_a_failed_sign_in_says_the_same_for_unknown_email_and_wrong_password(client):
    make_user("viewer")
    wrong_password = login(client, "viewer-all@example.org", "wrong password!").get_data(
        as_text=True
    )
    unknown_email = login(client, "nobody@example.org", "wrong password!").get_data(as_text=True)
    assert SIGN_IN_REFUSED in wrong_password
    assert SIGN_IN_REFUSED in unknown_email
    failed = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.verb == "auth.sign_in_failed")
    ).all()
    assert all(e.before == {"signed_in": False} and e.after["signed_in"] is False for e in failed)
    verbs = db.session.scalars(
        sa.select(AuditEvent.verb).where(AuditEvent.verb == "auth.sign_in_failed")
    )
    assert len(verbs.all()) == 2


def test_a_deactivated_user_cannot_sign_in(client):
    user = make_user("viewer", active=False)
    assert login(client, user.email).status_code == 400
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/healthz", "/healthz"),
        ("/cities/dortmund?tab=plans#log", "/cities/dortmund?tab=plans#log"),
        ("https://evil.example/", "/"),
        ("http://evil.example", "/"),
        ("HTTPS://evil.example", "/"),
        ("//evil.example/x", "/"),
        ("////evil.example/phish", "/"),
        ("///evil.example", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("/%2F%2Fevil.example", "/"),
        ("/%2f/evil.example", "/"),
        ("%2F%2Fevil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("/%252F%252Fevil.example", "/"),
        ("/%0d%0aX:1", "/"),
        ("/\r\nSet-Cookie: x=1", "/"),
        ("/%09/evil.example", "/"),
        ("/%00", "/"),
        ("javascript:alert(1)", "/"),
        ("JaVaScRiPt:alert(1)", "/"),
        ("data:text/html,<script>alert(1)</script>", "/"),
        ("evil.example", "/"),
        ("", "/"),
        ("/" + "a" * 3000, "/"),
    ],
)
def test_next_redirects_stay_on_the_site(client, next_url, expected):
    user = make_user("viewer")
    response = login(client, user.email, query_string={"next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_sign_out_ends_the_session_even_for_a_copied_cookie(client, app):
    user = make_user("viewer")
    login(client, user.email)
    copied = client.get_cookie("session").value
    assert client.post("/auth/logout").status_code == 302
    assert not signed_in(client)
    replay = app.test_client()
    replay.set_cookie("session", copied)
    response = replay.get("/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_a_user_deactivated_while_signed_in_is_signed_out(client):
    user = make_user("viewer")
    login(client, user.email)
    user.is_active = False
    db.session.commit()
    assert not signed_in(client)


def test_sign_out_needs_a_post(client):
    user = make_user("viewer")
    login(client, user.email)
    response = client.get("/auth/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert signed_in(client)


def test_login_without_csrf_token_is_refused(client, csrf_on):
    user = make_user("viewer")
    before = row_counts()
    response = login(client, user.email)
    assert response.status_code == 400
    assert not signed_in(client)
    assert row_counts() == before


def test_login_and_logout_with_csrf_tokens(client, csrf_on):
    user = make_user("viewer")
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    # Sign-out without the token does nothing; with it, signs out.
    client.post("/auth/logout")
    assert signed_in(client)
    client.post("/auth/logout", data={"csrf_token": csrf_token(page)})
    assert not signed_in(client)


def test_the_login_page_escapes_what_was_typed(client):
    response = login(client, '"><script>alert(1)</script>', "x")
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_a_sign_in_ends_after_the_absolute_limit_however_active(client):
    user = make_user("viewer")
    login(client, user.email)
    assert signed_in(client)
    row = db.session.scalar(sa.select(UserSession))
    row.created_at = datetime.now(UTC) - timedelta(hours=12, minutes=1)
    db.session.commit()
    assert not signed_in(client)


def test_prune_removes_ended_sign_ins_and_stale_uploads_only(client, runner):
    user = make_user("viewer")
    login(client, user.email)
    old, fresh = datetime.now(UTC) - timedelta(days=2), datetime.now(UTC)
    db.session.add_all(
        [
            UserSession(id="old-session", user_id=user.id, created_at=old),
            ImportBatch(
                id="old-batch",
                user_id=user.id,
                kind="progress",
                filename="a.csv",
                content=b"x",
                created_at=old,
            ),
            ImportBatch(
                id="new-batch",
                user_id=user.id,
                kind="progress",
                filename="b.csv",
                content=b"x",
                created_at=fresh,
            ),
        ]
    )
    db.session.commit()
    result = runner.invoke(args=["prune"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 ended sign-ins, 1 unconfirmed uploads and 0 submission keys" in result.output
    assert set(db.session.scalars(sa.select(ImportBatch.id))) == {"new-batch"}
    assert signed_in(client)
