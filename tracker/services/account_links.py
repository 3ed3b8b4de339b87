"""Single-use links to set a password: an invitation to a new account (valid INVITE_HOURS) and
a password reset (valid RESET_HOURS). Only a link's hash is stored; a new link of a kind
replaces the account's earlier one; using one ends every session of the account."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import cast

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from limits import parse

from tracker import mail
from tracker.domain.errors import Invalid
from tracker.extensions import db
from tracker.models import AccountLink, OutgoingMail, User
from tracker.services import passwords, sign_in
from tracker.services.audit import record_event

INVITE_HOURS = 72
RESET_HOURS = 1
LIFETIMES = {"invite": timedelta(hours=INVITE_HOURS), "reset": timedelta(hours=RESET_HOURS)}


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User, purpose: str, *, now: datetime | None = None) -> str:
    """A new link of `purpose` for `user` (its token, shown once); the earlier unused one of
    that purpose stops working."""
    token = secrets.token_urlsafe(32)
    _replace_link(user.id, purpose, token, now or datetime.now(UTC))
    return token


def _replace_link(
    user_id: int, purpose: str, token: str, now: datetime, *, stored: bool = True
) -> None:
    """Retire the account's unused link of `purpose` and insert the new one (its hash only).
    With `stored` false the same two statements run and match, and insert, nothing."""
    links = cast(sa.Table, AccountLink.__table__)
    db.session.execute(
        sa.update(links)
        .where(links.c.user_id == user_id, links.c.purpose == purpose, links.c.used_at.is_(None))
        .values(used_at=now)
    )
    db.session.execute(
        sa.insert(links).from_select(
            ["user_id", "purpose", "token_hash", "created_at", "expires_at"],
            sa.select(
                sa.literal(user_id),
                sa.literal(purpose),
                sa.literal(digest(token)),
                sa.literal(now, links.c.created_at.type),
                sa.literal(now + LIFETIMES[purpose], links.c.expires_at.type),
            ).where(sa.true() if stored else sa.false()),
        )
    )


def link_address(token: str) -> str:
    return mail.address("auth.set_password", token=token)


def usable(token: str, *, now: datetime | None = None) -> AccountLink:
    """The link this token names, if it may still be used; else Invalid saying why."""
    now = now or datetime.now(UTC)
    found = db.session.scalar(sa.select(AccountLink).where(AccountLink.token_hash == digest(token)))
    if found is None or not found.user.is_active:
        raise Invalid(_("This link is not valid. Ask for a new one."))
    if found.used_at is not None:
        raise Invalid(_("This link has already been used. Sign in, or ask for a new one."))
    if sign_in.aware(found.expires_at) <= now:
        raise Invalid(_("This link has expired. Ask for a new one."))
    return found


def set_password(token: str, password: str, *, now: datetime | None = None) -> User:
    """Set the password of the link's account, once; every session of the account ends."""
    now = now or datetime.now(UTC)
    link = usable(token, now=now)
    user = link.user
    passwords.check_password_rules(password, email=user.email, name=user.name)
    user.password_hash = passwords.hash_password(password)
    link.used_at = now
    sign_in.end_all_sessions(user)
    record_event(
        user,
        f"user.password_set.{link.purpose}",
        "user",
        user.id,
        city_id=user.city_id,
        before={},
        after={"through": link.purpose},
    )
    return user


def invite(actor: User | None, user: User, *, actor_label: str | None = None) -> None:
    """Send `user` a link to set their own password (audited); MailError if it cannot go. With
    TRACKER_MAIL_DELIVERY=worker it is recorded in `outgoing_mail` in the caller's transaction
    and the mail worker sends it: no web process talks to the mail server."""
    token = issue(user, "invite")
    record_event(
        actor,
        "user.invite",
        "user",
        user.id,
        actor_label=actor_label,
        city_id=user.city_id,
        before={},
        after={"email": user.email},
    )
    letter = mail.letter(
        user.email, user.language, "invite", link=link_address(token), hours=INVITE_HOURS, user=user
    )
    if current_app.config["MAIL_DELIVERY"] == "worker":
        db.session.add(
            OutgoingMail(
                user=user,
                kind="invite",
                period=f"invite-{secrets.token_hex(8)}",  # each invitation a message of its own
                message_id=mail.new_message_id(),
                subject=letter.subject,
                body_text=letter.text,
                body_html=letter.html,
            )
        )
        return
    mail.send(letter)


def reset_allowed(email: str, limit: str, *, now: datetime | None = None) -> bool:
    """Count a reset asked for this address, known or not, in the database (so every worker
    and host counts the same); False past `limit` ("3 per hour") in its window."""
    rule = parse(limit)
    typed = email.strip().lower()[:254]
    count, _started = sign_in.count_attempt(
        "reset:" + digest(typed), now or datetime.now(UTC), timedelta(seconds=rule.get_expiry())
    )
    return count <= rule.amount


def request_reset(email: str, *, now: datetime | None = None) -> int | None:
    """Record, in the caller's transaction, a reset link and message for `email` if it names an
    active account, and return the message's id; the caller delivers it after its answer.

    Whether the address has an account must not show in the time taken either, so both cases
    run the same statements in the same order: the earlier link retired, the new link and the
    message inserted, the request audited. For an address without an account the statements
    match no row and insert none (an INSERT of a SELECT that selects nothing), and the message
    is written all the same, to a stand-in."""
    now = now or datetime.now(UTC)
    try:
        address = sign_in.normalise_email(email)
    except Invalid:
        address = None
    user = (
        db.session.scalar(sa.select(User).where(User.email == address, User.is_active))
        if address
        else None
    )
    who = user or User(id=0, email=address or "", name=None, language=None)  # never stored
    token = secrets.token_urlsafe(32)
    letter = mail.letter(who.email, who.language, "reset", link=link_address(token), user=who)
    _replace_link(who.id, "reset", token, now, stored=user is not None)
    messages = cast(sa.Table, OutgoingMail.__table__)
    message_id = db.session.execute(
        sa.insert(messages)
        .from_select(
            ["user_id", "kind", "period", "message_id", "subject", "body_text", "body_html"],
            sa.select(
                sa.literal(who.id),
                sa.literal("reset"),
                sa.literal(f"reset-{secrets.token_hex(8)}"),
                sa.literal(mail.new_message_id()),
                sa.literal(letter.subject),
                sa.literal(letter.text),
                sa.literal(letter.html),
            ).where(sa.true() if user is not None else sa.false()),
        )
        .returning(messages.c.id)
    ).scalar()
    verb = "user.reset_requested" if user is not None else "user.reset_unknown"
    record_event(None, verb, "user", user.id if user else None, actor_label="anyone")
    db.session.flush()
    return message_id


def pending_invitations(user_ids: list[int]) -> set[int]:
    """Which of these accounts have an invitation not used yet (they never set a password)."""
    if not user_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(AccountLink.user_id).where(
                AccountLink.user_id.in_(user_ids),
                AccountLink.purpose == "invite",
                AccountLink.used_at.is_(None),
            )
        )
    )
