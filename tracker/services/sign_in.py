"""Signing in: checking a password against the throttle, and the sign-in sessions behind the
cookie, each ended on sign-out, on a password change or when too old."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import cast

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from werkzeug.security import check_password_hash

from tracker import cache as page_cache
from tracker.domain.errors import Invalid
from tracker.extensions import db
from tracker.models import DataVersion, SignInThrottle, User, UserSession
from tracker.services.audit import record_event, record_own
from tracker.services.passwords import dummy_hash

# What the audit trail says of a password change: that it happened, never the values.


NOT_AN_ADDRESS = "(not an e-mail address)"


def authenticate(
    email: str, password: str, *, client: str | None = None, now: datetime | None = None
) -> User | None:
    """The active user with this e-mail and password, or None. Failures are counted per
    account and client address (SIGN_IN_MAX_FAILURES in SIGN_IN_WINDOW_MINUTES lock that pair
    only, so a stranger's guesses do not lock the owner out elsewhere) and per account over all
    addresses (SIGN_IN_ACCOUNT_MAX_FAILURES in SIGN_IN_ACCOUNT_WINDOW_MINUTES, a slower ceiling
    on guessing spread over many addresses). A locked account is refused even with the right
    password; an unknown account, a wrong password and a refused account cost the same work and
    look the same."""
    now = now or datetime.now(UTC)
    try:
        email = normalise_email(email)
    except Invalid:
        email = NOT_AN_ADDRESS  # never store what was typed: it may be a password
    user = db.session.scalar(select(User).where(User.email == email))
    config = current_app.config
    pair = pair_key(email, client)
    windows = {
        pair: (timedelta(minutes=config["SIGN_IN_WINDOW_MINUTES"]), config["SIGN_IN_MAX_FAILURES"]),
        email: (
            timedelta(minutes=config["SIGN_IN_ACCOUNT_WINDOW_MINUTES"]),
            config["SIGN_IN_ACCOUNT_MAX_FAILURES"],
        ),
    }
    locked = any(
        aware(throttle.window_started_at) > now - windows[throttle.key][0]
        and throttle.failures >= windows[throttle.key][1]
        for throttle in db.session.scalars(
            select(SignInThrottle).where(SignInThrottle.key.in_(list(windows)))
        )
    )
    if user is None:
        check_password_hash(dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        ok = False
    else:
        ok = user.check_password(password) and user.is_active and not locked
    if ok and user is not None:
        record_own(user, "auth.sign_in", before={"signed_in": False}, after={"signed_in": True})
        return user
    count_attempt(pair, now, windows[pair][0])
    failures, window_started = count_attempt(email, now, windows[email][0])
    if failures == 1:  # one audit event per account and window; the rest are counted
        record_event(
            None,
            "auth.sign_in_failed",
            "user",
            user.id if user else None,
            actor_label=email,
            city_id=user.city_id if user else None,
            before={"signed_in": False},
            after={"signed_in": False, "window_started_at": window_started},
        )
    return None


def pair_key(email: str, client: str | None) -> str:
    """The throttle key of one account tried from one client address (hashed: it is a count's
    name, not a record of who tried)."""
    return "pair:" + hashlib.sha256(f"{email}\n{client or '-'}".encode()).hexdigest()


def aware(moment: datetime) -> datetime:
    """A stored moment as UTC-aware (SQLite gives it back naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def count_attempt(key: str, now: datetime, window: timedelta) -> tuple[int, datetime]:
    """Add an attempt (a failed sign-in, a reset asked for) to the key's count in one statement,
    so that concurrent attempts on any worker and host are all counted; a window that has
    passed starts again at 1."""
    table = cast(sa.Table, SignInThrottle.__table__)
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)
    expired = table.c.window_started_at <= now - window
    statement = insert.values(key=key, window_started_at=now, failures=1).on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "failures": case((expired, 1), else_=table.c.failures + 1),
            "window_started_at": case((expired, now), else_=table.c.window_started_at),
        },
    )
    row = db.session.execute(statement.returning(table.c.failures, table.c.window_started_at)).one()
    return row.failures, aware(row.window_started_at)


def start_session(user: User) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(id=token, user_id=user.id))
    user.session_id = token
    return token


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(delete(UserSession).where(UserSession.id == token))


def sign_out(user: User, token: str | None) -> None:
    """End this sign-in of `user`, and record it in the audit trail."""
    end_session(token)
    record_own(user, "auth.sign_out", before={"signed_in": True}, after={"signed_in": False})


def session_cutoff() -> datetime:
    """Sign-ins older than this have ended: an absolute limit, however active the browser."""
    return datetime.now(UTC) - timedelta(hours=current_app.config["SESSION_MAX_AGE_HOURS"])


# The account of a sign-in that has not ended, with the data version in the same query (a
# cached page then asks nothing more). Built once: every signed-in request runs it.
_SIGNED_IN = (
    select(User, DataVersion.epoch, DataVersion.version)
    .join(UserSession, UserSession.user_id == User.id)
    .join(DataVersion, sa.true())
    .where(
        UserSession.id == sa.bindparam("token"),
        UserSession.created_at >= sa.bindparam("cutoff"),
        User.is_active.is_(True),
    )
)


def user_for_session(token: str) -> User | None:
    row = db.session.execute(_SIGNED_IN, {"token": token, "cutoff": session_cutoff()}).one_or_none()
    if row is None:
        return None
    user, epoch, version = row
    page_cache.note_version(epoch, version)
    user.session_id = token
    return user


def end_all_sessions(user: User, *, keep: str | None = None) -> None:
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        query = query.where(UserSession.id != keep)
    db.session.execute(query)


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Invalid(
            _("%(email)s is not a valid e-mail address: %(exc)s", email=repr(email), exc=exc),
            field="email",
        ) from exc
