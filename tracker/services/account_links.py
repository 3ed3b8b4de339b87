"""Single-use links to set a password: an invitation to a new account (valid INVITE_HOURS) and
a password reset (valid RESET_HOURS). Only a link's hash is stored; a new link of a kind
replaces the account's earlier one; using one ends every session of the account."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
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
    now = now or datetime.now(UTC)
    db.session.execute(
        sa.update(AccountLink)
        .where(
            AccountLink.user_id == user.id,
            AccountLink.purpose == purpose,
            AccountLink.used_at.is_(None),
        )
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccountLink(
            user_id=user.id,
            purpose=purpose,
            token_hash=digest(token),
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    db.session.flush()
    return token


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
    """Send `user` a link to set their own password (audited); MailError if it cannot go."""
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
    mail.send(
        mail.letter(
            user.email,
            user.language,
            "invite",
            link=link_address(token),
            hours=INVITE_HOURS,
            user=user,
        )
    )


def reset_allowed(email: str, limit: str, *, now: datetime | None = None) -> bool:
    """Count a reset asked for this address, known or not, in the database (so every worker
    and host counts the same); False past `limit` ("3 per hour") in its window."""
    rule = parse(limit)
    typed = email.strip().lower()[:254]
    count, _started = sign_in.count_attempt(
        "reset:" + digest(typed), now or datetime.now(UTC), timedelta(seconds=rule.get_expiry())
    )
    return count <= rule.amount


def request_reset(email: str) -> OutgoingMail | None:
    """Record, in the caller's transaction, a reset message for `email` if it names an active
    account; the caller delivers it after its answer. An address without an account takes the
    same steps (a link drawn, a message written, an event recorded) and records no message, so
    neither the answer nor its time tells whether the address has an account."""
    try:
        address = sign_in.normalise_email(email)
    except Invalid:
        address = None
    user = (
        db.session.scalar(sa.select(User).where(User.email == address, User.is_active))
        if address
        else None
    )
    if user is None:
        stand_in = User(email=address or "", name=None, language=None)
        mail.letter(stand_in.email, None, "reset", link=link_address(_drawn()), user=stand_in)
        record_event(None, "user.reset_unknown", "user", None, actor_label="anyone")
        db.session.flush()
        return None
    token = issue(user, "reset")
    record_event(None, "user.reset_requested", "user", user.id, actor_label="anyone")
    letter = mail.letter(user.email, user.language, "reset", link=link_address(token), user=user)
    row = OutgoingMail(
        user=user,
        kind="reset",
        period=f"reset-{secrets.token_hex(8)}",
        message_id=mail.new_message_id(),
        subject=letter.subject,
        body_text=letter.text,
        body_html=letter.html,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _drawn() -> str:
    """A token drawn and hashed as `issue` does, for a link that is never stored."""
    token = secrets.token_urlsafe(32)
    digest(token)
    return token


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
