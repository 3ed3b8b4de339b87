"""Invitations and password resets, sent through a real SMTP server on loopback: a link sets a
password once, expires, and a reset answers the same whether the address has an account."""

from __future__ import annotations

import re
import statistics
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_user
from tests.helpers import login, page_text, row_counts, signed_in_client
from tests.mail_server import html_of, smtp_server, text_of
from tracker.extensions import db
from tracker.models import AccountLink, AuditEvent, OutgoingMail, User
from tracker.services import account_links

NEW_PASSWORD = "violet kettle harbour lantern"


@pytest.fixture
def inbox(app):
    with smtp_server() as (received, port):
        app.config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"
        yield received
        app.config["MAIL_URL"] = None


@pytest.fixture
def admin(client):
    make_user("admin", email="root@example.org")
    login(client, "root@example.org")
    return client


def link_in(message) -> str:
    found = re.search(r"https?://\S+/auth/set-password/(\S+)", text_of(message))
    assert found, text_of(message)
    return "/auth/set-password/" + found.group(1)


def test_an_invitation_sets_a_password_once_then_says_already_used(app, admin, inbox):
    response = admin.post(
        "/admin/users",
        data={"email": "Neu@Example.org", "role": "editor", "city": "bamberg", "password": ""},
    )
    assert response.status_code == 302
    (message,) = inbox.to("neu@example.org")
    assert message["Subject"] == "Your ICC Tracker account"
    assert message.is_multipart()
    link = link_in(message)
    assert link.split("/")[-1] in html_of(message)
    token = link.rsplit("/", 1)[-1]
    stored = db.session.scalars(sa.select(AccountLink.token_hash)).all()
    assert token not in stored  # only the hash is kept
    assert account_links.digest(token) in stored
    # The invited account cannot sign in before it has a password.
    guest = app.test_client()
    assert login(guest, "neu@example.org").status_code == 400
    form = guest.get(link)
    assert form.status_code == 200
    assert "neu@example.org" in page_text(form)
    done = guest.post(link, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert login(guest, "neu@example.org", NEW_PASSWORD).status_code == 302
    again = app.test_client().get(link)
    assert again.status_code == 410
    assert "already been used" in page_text(again)
    before = row_counts()
    reuse = app.test_client().post(link, data={"new_password": "x" * 20, "confirm": "x" * 20})
    assert reuse.status_code == 410
    assert row_counts() == before
    verbs = set(db.session.scalars(sa.select(AuditEvent.verb)))
    assert {"user.invite", "user.password_set.invite"} <= verbs


def test_an_expired_invitation_is_refused(app):
    user = make_user("viewer", email="late@example.org")
    token = account_links.issue(user, "invite", now=datetime.now(UTC) - timedelta(hours=73))
    db.session.commit()
    response = app.test_client().get(f"/auth/set-password/{token}")
    assert response.status_code == 410
    assert "expired" in page_text(response)
    assert app.test_client().get("/auth/set-password/not-a-token").status_code == 410


def test_a_resent_invitation_replaces_the_first_link(app, admin, inbox):
    admin.post("/admin/users", data={"email": "twice@example.org", "role": "viewer"})
    user = db.session.scalar(sa.select(User).where(User.email == "twice@example.org"))
    assert "Resend invitation" in page_text(admin.get("/admin/users"))
    assert admin.post(f"/admin/users/{user.id}/invite").status_code == 302
    first, second = inbox.to("twice@example.org")
    assert app.test_client().get(link_in(first)).status_code == 410
    assert app.test_client().get(link_in(second)).status_code == 200


def test_only_an_admin_may_invite_or_resend(app, inbox):
    lead = signed_in_client(app, "lead", email="lead@example.org")
    target = make_user("viewer", email="someone@example.org")
    before = row_counts()
    assert lead.post(f"/admin/users/{target.id}/invite").status_code == 403
    assert (
        lead.post("/admin/users", data={"email": "x@example.org", "role": "viewer"}).status_code
        == 403
    )
    assert row_counts() == before
    assert inbox.messages == []


def test_a_weak_or_mismatched_password_is_refused_and_the_link_kept(app):
    user = make_user("viewer", email="careful@example.org")
    token = account_links.issue(user, "invite")
    db.session.commit()
    guest = app.test_client()
    for data, message in (
        ({"new_password": NEW_PASSWORD, "confirm": "something else entirely"}, "differ"),
        ({"new_password": "short", "confirm": "short"}, "between 12 and"),
        ({"new_password": "password1234", "confirm": "password1234"}, ""),
        ({}, ""),
    ):
        response = guest.post(f"/auth/set-password/{token}", data=data)
        assert response.status_code == 400, data
        assert message in page_text(response)
    assert guest.get(f"/auth/set-password/{token}").status_code == 200  # still usable


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"', "", html)


def ask_reset(client, email: str):
    """A reset asked for, and its answer closed, as a server closes it once it is sent (the
    message goes then)."""
    response = client.post("/auth/forgot", data={"email": email})
    response.close()
    return response


def test_reset_answers_the_same_for_known_and_unknown_and_ends_other_sessions(app, inbox):
    make_user("editor", city="bamberg", email="known@example.org")
    elsewhere = app.test_client()
    login(elsewhere, "known@example.org")
    assert elsewhere.get("/my").status_code == 200
    asker = app.test_client()
    assert "Forgot your password?" in page_text(asker.get("/auth/login"))
    known = ask_reset(asker, "known@example.org")
    unknown = ask_reset(asker, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    # The same page but for the form's one-time token (signed with the time: it may differ).
    assert without_tokens(page_text(known)) == without_tokens(page_text(unknown))
    assert "If an account has this address" in page_text(known)
    assert inbox.to("nobody@example.org") == []
    (message,) = inbox.to("known@example.org")
    link = link_in(message)
    response = asker.post(link, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert elsewhere.get("/my").status_code == 302  # the other session has ended
    assert login(app.test_client(), "known@example.org", PASSWORD).status_code == 400
    assert login(app.test_client(), "known@example.org", NEW_PASSWORD).status_code == 302
    assert "user.password_set.reset" in set(db.session.scalars(sa.select(AuditEvent.verb)))


def test_a_reset_link_lasts_one_hour(app):
    user = make_user("viewer", email="hour@example.org")
    token = account_links.issue(user, "reset", now=datetime.now(UTC) - timedelta(minutes=61))
    db.session.commit()
    assert app.test_client().get(f"/auth/set-password/{token}").status_code == 410


def test_reset_requests_are_limited_per_address(app, inbox):
    make_user("viewer", email="limited@example.org")
    app.config["RESET_PER_ADDRESS_LIMIT"] = "2 per hour"
    try:
        client = app.test_client()
        statuses = [ask_reset(client, "limited@example.org").status_code for _ in range(3)]
    finally:
        app.config["RESET_PER_ADDRESS_LIMIT"] = "100000 per minute"
    assert statuses == [200, 200, 429]
    assert len(inbox.to("limited@example.org")) == 2


@pytest.mark.parametrize("email", ["", "not an address", "x" * 300 + "@example.org"])
def test_reset_with_bad_input_says_so_and_sends_nothing(app, inbox, email):
    response = app.test_client().post("/auth/forgot", data={"email": email})
    assert response.status_code == 400
    assert inbox.messages == []


def test_a_german_users_invitation_is_in_german(app, inbox):
    user = make_user("viewer", email="deutsch@example.org")
    user.language = "de"
    account_links.invite(None, user, actor_label="test")
    db.session.commit()
    (message,) = inbox.to("deutsch@example.org")
    assert message["Subject"] == "Ihr Konto bei ICC Tracker"
    assert "Wählen Sie Ihr Passwort" in text_of(message)


def test_without_a_mail_server_messages_go_to_the_outbox(app):
    from pathlib import Path

    outbox = Path(app.instance_path) / "outbox"
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    user = make_user("viewer", email="outbox@example.org")
    account_links.invite(None, user, actor_label="test")
    db.session.commit()
    (written,) = set(outbox.glob("*.eml")) - before
    content = written.read_text()
    assert "To: outbox@example.org" in content
    assert "/auth/set-password/" in content


def test_a_refusing_mail_server_keeps_nothing(app, admin):
    from tests.mail_server import free_port

    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    try:
        before = row_counts()
        response = admin.post("/admin/users", data={"email": "lost@example.org", "role": "viewer"})
    finally:
        app.config["MAIL_URL"] = None
    assert response.status_code == 400
    assert "could not be sent" in page_text(response)
    assert row_counts() == before


def test_the_command_line_invites_with_a_link_to_the_configured_address(app, runner, inbox):
    app.config["BASE_URL"] = "https://tracker.example.org"
    result = runner.invoke(
        args=["users", "create", "cli-invite@example.org", "--role", "viewer", "--invite"]
    )
    assert result.exit_code == 0, result.output
    assert "Invitation to cli-invite@example.org sent." in result.output
    (message,) = inbox.to("cli-invite@example.org")
    assert "https://tracker.example.org/auth/set-password/" in text_of(message)
    both = runner.invoke(
        args=[
            "users",
            "create",
            "x@example.org",
            "--role",
            "viewer",
            "--invite",
            "--password-stdin",
        ]
    )
    assert both.exit_code != 0
    assert "not both" in both.output


def test_the_command_line_keeps_nothing_when_the_mail_server_refuses(app, runner):
    from tests.mail_server import free_port

    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{free_port()}"
    try:
        before = row_counts()
        result = runner.invoke(
            args=["users", "create", "nomail@example.org", "--role", "viewer", "--invite"]
        )
    finally:
        app.config["MAIL_URL"] = None
    assert result.exit_code != 0
    assert "could not be sent" in result.output
    assert row_counts() == before


def test_an_invitation_is_written_in_the_language_the_admin_picks(app, admin, inbox):
    form = admin.get("/admin/users").get_data(as_text=True)
    # The admin's own language is the default; German is one choice away.
    assert re.search(r'<option selected value="en">English</option>', form)
    response = admin.post(
        "/admin/users",
        data={
            "email": "dortmund@example.org",
            "role": "editor",
            "city": "dortmund",
            "password": "",
            "language": "de",
        },
    )
    assert response.status_code == 302
    (message,) = inbox.to("dortmund@example.org")
    assert message["Subject"] == "Ihr Konto bei ICC Tracker"
    assert "Wählen Sie Ihr Passwort" in text_of(message)
    user = db.session.scalar(sa.select(User).where(User.email == "dortmund@example.org"))
    assert user.language == "de"


def test_a_german_speaking_admin_invites_in_german_unless_they_choose_otherwise(app, inbox):
    admin = signed_in_client(app, "admin", email="chef@example.org")
    german = {"Accept-Language": "de"}
    form = admin.get("/admin/users", headers=german).get_data(as_text=True)
    assert re.search(r'<option selected value="de">Deutsch</option>', form)
    admin.post(
        "/admin/users",
        data={"email": "anna@example.org", "role": "viewer", "password": ""},
        headers=german,
    )
    (message,) = inbox.to("anna@example.org")
    assert message["Subject"] == "Ihr Konto bei ICC Tracker"


def test_a_language_that_is_not_offered_is_refused_and_nothing_is_kept(app, admin, inbox):
    before = row_counts()
    response = admin.post(
        "/admin/users",
        data={"email": "x@example.org", "role": "viewer", "password": "", "language": "fr"},
    )
    assert response.status_code == 400
    assert "Not a valid choice" in page_text(response)
    assert row_counts() == before
    assert inbox.messages == []


def test_password_advice_is_wholly_in_the_page_language(app):
    from tracker.domain.errors import Invalid
    from tracker.services.passwords import check_password_rules

    with app.test_request_context(headers={"Accept-Language": "de"}):
        app.preprocess_request()
        with pytest.raises(Invalid) as refused:
            check_password_rules("aaaaaaaaaaaaaa", email="x@example.org")
    message = str(refused.value.message)
    assert message.startswith("Dieses Passwort ist zu schwach")
    assert "Wiederholungen wie „aaa“" in message
    for english in ("Repeats", "Add another", "Avoid", "easy to guess"):
        assert english not in message


def test_the_command_line_says_where_an_invitation_went_without_a_mail_server(app, runner):
    app.config["MAIL_URL"] = None
    result = runner.invoke(
        args=["users", "create", "outbox-invite@example.org", "--role", "viewer", "--invite"]
    )
    assert result.exit_code == 0, result.output
    assert "Invitation to outbox-invite@example.org written to " in result.output
    assert "(not sent: no TRACKER_MAIL_URL)" in result.output
    assert " sent." not in result.output


def test_the_command_line_invites_in_the_language_it_is_given(app, runner, inbox):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "cli-de@example.org",
            "--role",
            "viewer",
            "--invite",
            "--language",
            "de",
        ]
    )
    assert result.exit_code == 0, result.output
    (message,) = inbox.to("cli-de@example.org")
    assert message["Subject"] == "Ihr Konto bei ICC Tracker"
    refused = runner.invoke(
        args=[
            "users",
            "create",
            "cli-fr@example.org",
            "--role",
            "viewer",
            "--invite",
            "--language",
            "fr",
        ]
    )
    assert refused.exit_code != 0
    assert inbox.to("cli-fr@example.org") == []


def test_a_reset_message_is_recorded_with_the_request_and_sent_after_the_answer(app, inbox):
    make_user("viewer", email="after@example.org")
    response = app.test_client().post("/auth/forgot", data={"email": "after@example.org"})
    assert response.status_code == 200
    row = db.session.scalar(sa.select(OutgoingMail).where(OutgoingMail.kind == "reset"))
    assert row is not None  # recorded in the request's own transaction...
    assert row.sent_at is None
    assert inbox.to("after@example.org") == []  # ...and not sent while the person waited
    response.close()  # the server has sent the answer
    (message,) = inbox.to("after@example.org")
    assert link_in(message).startswith("/auth/set-password/")
    db.session.refresh(row)
    assert row.sent_at is not None


def test_an_unknown_address_takes_the_same_steps_and_records_no_message(app, inbox):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail))
    ask_reset(app.test_client(), "nobody-here@example.org")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail)) == before
    assert inbox.messages == []
    verbs = list(db.session.scalars(sa.select(AuditEvent.verb)))
    assert "user.reset_unknown" in verbs
    assert "nobody-here" not in str(list(db.session.scalars(sa.select(AuditEvent.after))))


def test_known_and_unknown_addresses_take_the_same_time(app):
    """50 requests each, taken in turn so that the machine's load falls on both alike: the
    medians differ by less than 5 ms (the mail itself goes after the answer)."""
    make_user("viewer", email="timed@example.org")
    client = app.test_client()
    times: dict[str, list[float]] = {"timed@example.org": [], "untimed@example.org": []}
    for _ in range(50):
        for email, taken in times.items():
            start = time.perf_counter()
            response = client.post("/auth/forgot", data={"email": email})
            taken.append(time.perf_counter() - start)
            assert response.status_code == 200
    known, unknown = (statistics.median(t) * 1000 for t in times.values())
    assert abs(known - unknown) < 5, (known, unknown)
