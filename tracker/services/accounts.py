"""Accounts: creating users, checking passwords, and the sign-in sessions behind the cookie."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import cast

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from tracker import cache as page_cache
from tracker.domain import permissions
from tracker.domain.errors import Invalid
from tracker.extensions import db
from tracker.i18n import LANGUAGES
from tracker.models import City, DataVersion, SignInThrottle, User, UserSession
from tracker.models.user import USER_ROLES
from tracker.services.audit import record_event, update_versioned
from tracker.services.tokens import live_tokens_of, revoke_token

# What the audit trail says of a password change: that it happened, never the values.
PASSWORD_NOT_LOGGED = {
    "before": {"password": "(old, not logged)"},
    "after": {"password": "(new, not logged)", "sessions": "ended"},
}
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
# zxcvbn's score from 0 to 4: 3 is "safely unguessable" for an online attack.
MIN_PASSWORD_SCORE = 3


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash(method: str) -> str:
    """Checked when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password."""
    return generate_password_hash("not-a-real-password", method=method)


@dataclass(frozen=True)
class CommandLineActor:
    """The operator at the command line, who can already reach the database: programme-wide
    rights, no account, recorded as "cli" in the audit trail."""

    id: None = None
    email: str = "cli"
    role: str = "lead"
    city_id: None = None
    is_authenticated: bool = True
    is_active: bool = True


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Invalid(
            _("%(email)s is not a valid e-mail address: %(exc)s", email=repr(email), exc=exc),
            field="email",
        ) from exc


# zxcvbn's advice, which it gives in English only, in the catalogue's words: a refusal is wholly
# in the page's language.
ZXCVBN_ADVICE = {
    "Use a few words, avoid common phrases.": _l("Use a few words, avoid common phrases."),
    "No need for symbols, digits, or uppercase letters.": _l(
        "No need for symbols, digits, or uppercase letters."
    ),
    "Add another word or two. Uncommon words are better.": _l(
        "Add another word or two. Uncommon words are better."
    ),
    "Straight rows of keys are easy to guess.": _l("Straight rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.": _l("Short keyboard patterns are easy to guess."),
    "Use a longer keyboard pattern with more turns.": _l(
        "Use a longer keyboard pattern with more turns."
    ),
    'Repeats like "aaa" are easy to guess.': _l('Repeats like "aaa" are easy to guess.'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': _l(
        'Repeats like "abcabcabc" are only slightly harder to guess than "abc".'
    ),
    "Avoid repeated words and characters.": _l("Avoid repeated words and characters."),
    'Sequences like "abc" or "6543" are easy to guess.': _l(
        'Sequences like "abc" or "6543" are easy to guess.'
    ),
    "Avoid sequences.": _l("Avoid sequences."),
    "Recent years are easy to guess.": _l("Recent years are easy to guess."),
    "Avoid recent years.": _l("Avoid recent years."),
    "Avoid years that are associated with you.": _l("Avoid years that are associated with you."),
    "Dates are often easy to guess.": _l("Dates are often easy to guess."),
    "Avoid dates and years that are associated with you.": _l(
        "Avoid dates and years that are associated with you."
    ),
    "This is a top-10 common password.": _l("This is a top-10 common password."),
    "This is a top-100 common password.": _l("This is a top-100 common password."),
    "This is a very common password.": _l("This is a very common password."),
    "This is similar to a commonly used password.": _l(
        "This is similar to a commonly used password."
    ),
    "A word by itself is easy to guess.": _l("A word by itself is easy to guess."),
    "Names and surnames by themselves are easy to guess.": _l(
        "Names and surnames by themselves are easy to guess."
    ),
    "Common names and surnames are easy to guess.": _l(
        "Common names and surnames are easy to guess."
    ),
    "Capitalization doesn't help very much.": _l("Capitalization doesn't help very much."),
    "All-uppercase is almost as easy to guess as all-lowercase.": _l(
        "All-uppercase is almost as easy to guess as all-lowercase."
    ),
    "Reversed words aren't much harder to guess.": _l(
        "Reversed words aren't much harder to guess."
    ),
    "Predictable substitutions like '@' instead of 'a' don't help very much.": _l(
        "Predictable substitutions like '@' instead of 'a' don't help very much."
    ),
}


def in_language(advice: str | None) -> str:
    """zxcvbn's advice in the request's language; advice it may add later is left out rather
    than shown in English."""
    if not advice:
        return ""
    return str(ZXCVBN_ADVICE[advice]) if advice in ZXCVBN_ADVICE else ""


def check_password_rules(
    password: str, *, email: str | None = None, name: str | None = None
) -> None:
    """12 to 128 characters of any kind, not the e-mail or its local part, and not guessable
    (zxcvbn, with the person's e-mail and name as context); the reason is said."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            _(
                "The password must have at least %(MIN_PASSWORD_LENGTH)s characters.",
                MIN_PASSWORD_LENGTH=MIN_PASSWORD_LENGTH,
            ),
            field="password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid(
            _(
                "The password must have at most %(MAX_PASSWORD_LENGTH)s characters.",
                MAX_PASSWORD_LENGTH=MAX_PASSWORD_LENGTH,
            ),
            field="password",
        )
    context = [part for part in (email, *(email or "").split("@")[:1], name) if part]
    lowered = password.lower()
    if any(lowered == part.lower() for part in context[:2]):
        raise Invalid(_("The password must not be your e-mail address."), field="password")
    verdict = zxcvbn(password, user_inputs=[*context, *(name or "").split()])
    if verdict["score"] < MIN_PASSWORD_SCORE:
        feedback = verdict["feedback"]
        reason = in_language(feedback.get("warning")) or _("It would be easy to guess.")
        hints = " ".join(in_language(hint) for hint in feedback.get("suggestions") or [])
        raise Invalid(
            (
                _("This password is too weak: %(reason)s.", reason=reason.rstrip(".")) + " " + hints
            ).strip(),
            field="password",
        )


def resolve_city(role: str, city_slug: str | None) -> City | None:
    """The city an account of this role is bound to: an editor's one city, nobody else's."""
    if role not in USER_ROLES:
        raise Invalid(
            _(
                "Unknown role %(role)s; choose one of %(join)s.",
                role=repr(role),
                join=", ".join(USER_ROLES),
            ),
            field="role",
        )
    if role != "editor":
        if city_slug:
            raise Invalid(
                _("Only editors are bound to a city; a %(role)s takes none.", role=role),
                field="city",
            )
        return None
    if not city_slug:
        raise Invalid(_("An editor works for one city: choose it."), field="city")
    city = db.session.scalar(select(City).where(City.slug == city_slug))
    if city is None:
        raise Invalid(
            _("No city with the slug %(city_slug)s.", city_slug=repr(city_slug)), field="city"
        )
    return city


def create_user(
    actor: User | None,
    *,
    email: str,
    password: str | None,
    role: str,
    city_slug: str | None = None,
    name: str | None = None,
    is_demo: bool = False,
    actor_label: str | None = None,
    language: str | None = None,
) -> User:
    """A new account. Without a password it cannot sign in until its person sets one through
    an invitation (services/account_links.py): it gets the hash of a secret nobody knows.
    `language` is the person's (their invitation is written in it); None leaves it to their
    browser."""
    email = normalise_email(email)
    if language is not None and language not in LANGUAGES:
        raise Invalid(_("Choose English or German."), field="language")
    city = resolve_city(role, city_slug)
    if password is not None:
        check_password_rules(password, email=email, name=name)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Invalid(
            _("A user with the e-mail %(email)s exists already.", email=email), field="email"
        )
    user = User(email=email, name=name, role=role, city=city, is_demo=is_demo, language=language)
    user.password_hash = hash_password(password or secrets.token_urlsafe(32))
    db.session.add(user)
    db.session.flush()
    record_event(
        actor,
        "user.create",
        "user",
        user.id,
        actor_label=actor_label,
        city_id=city.id if city else None,
        before={},
        after={"email": email, "role": role, "city": city_slug, "name": name}
        | ({"language": language} if language else {}),
    )
    return user


NOT_AN_ADDRESS = "(not an e-mail address)"


def authenticate(email: str, password: str, *, now: datetime | None = None) -> User | None:
    """The active user with this e-mail and password, or None. An account with too many
    failures in the current window is refused even with the right password; an unknown
    account, a wrong password and a refused account cost the same work and look the same."""
    now = now or datetime.now(UTC)
    try:
        email = normalise_email(email)
    except Invalid:
        email = NOT_AN_ADDRESS  # never store what was typed: it may be a password
    user = db.session.scalar(select(User).where(User.email == email))
    window = timedelta(minutes=current_app.config["SIGN_IN_WINDOW_MINUTES"])
    throttle = db.session.get(SignInThrottle, email)
    locked = (
        throttle is not None
        and aware(throttle.window_started_at) > now - window
        and throttle.failures >= current_app.config["SIGN_IN_MAX_FAILURES"]
    )
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        ok = False
    else:
        ok = user.check_password(password) and user.is_active and not locked
    if ok and user is not None:
        record_event(
            user,
            "auth.sign_in",
            "user",
            user.id,
            city_id=user.city_id,
            before={"signed_in": False},
            after={"signed_in": True},
        )
        return user
    failures, window_started = _count_failure(email, now, window)
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


def aware(moment: datetime) -> datetime:
    """A stored moment as UTC-aware (SQLite gives it back naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _count_failure(key: str, now: datetime, window: timedelta) -> tuple[int, datetime]:
    """Add a failure to the key's count in one statement, so that concurrent attempts on any
    worker are all counted; a window that has passed starts again at 1."""
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


def session_cutoff() -> datetime:
    """Sign-ins older than this have ended: an absolute limit, however active the browser."""
    return datetime.now(UTC) - timedelta(hours=current_app.config["SESSION_MAX_AGE_HOURS"])


def user_for_session(token: str) -> User | None:
    # The data version comes along in the same query: a cached page then asks nothing more.
    row = db.session.execute(
        select(User, DataVersion.epoch, DataVersion.version)
        .join(UserSession, UserSession.user_id == User.id)
        .join(DataVersion, sa.true())
        .where(
            UserSession.id == token,
            UserSession.created_at >= session_cutoff(),
            User.is_active.is_(True),
        )
    ).one_or_none()
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


def update_user(
    actor: User,
    user: User,
    *,
    version: int | None,
    role: str,
    city_slug: str | None,
    is_active: bool,
    name: str | None,
) -> None:
    """Change an account's role, city, name or state. Deactivating it, or changing what it
    may do, ends its sessions: it signs in again under the new rules."""
    permissions.require_admin(actor)
    city = resolve_city(role, city_slug)
    city_id = city.id if city else None
    if user.id == actor.id and (role != "admin" or not is_active):
        raise Invalid(_("You cannot take away your own administrator access."), field="role")
    changed = update_versioned(
        actor,
        user,
        version=version,
        changes={"role": role, "city_id": city_id, "is_active": is_active, "name": name or None},
        verb="user.update",
        entity_type="user",
        city_id=city_id,
    )
    if {"role", "city_id", "is_active"} & changed.keys():
        end_all_sessions(user)
    if changed.get("is_active") is False:
        # Deactivation revokes the account's tokens for good: reactivating it must not bring
        # back tokens that may have leaked meanwhile; new ones are issued.
        revoke_all_tokens(actor, user)


def revoke_all_tokens(actor: User, user: User) -> None:
    for token in live_tokens_of(user):
        revoke_token(actor, token)


def reset_password(actor: User, user: User, password: str) -> None:
    permissions.require_admin(actor)
    check_password_rules(password, email=user.email, name=user.name)
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    record_event(
        actor,
        "user.reset_password",
        "user",
        user.id,
        city_id=user.city_id,
        before=PASSWORD_NOT_LOGGED["before"],
        after=PASSWORD_NOT_LOGGED["after"],
    )


def set_time_zone(user: User, name: str | None) -> None:
    """A person's own time zone (an IANA name), or None for the site's default."""
    from tracker.timezones import is_time_zone

    name = (name or "").strip() or None
    if name is not None and not is_time_zone(name):
        raise Invalid(_("%(name)s is not a known time zone.", name=repr(name)), field="time_zone")
    _set_own(user, "time_zone", name)


def set_language(user: User, code: str | None) -> None:
    """A person's own language ("en" or "de"), or None for the browser's choice."""
    from tracker.i18n import LANGUAGES

    code = (code or "").strip() or None
    if code is not None and code not in LANGUAGES:
        raise Invalid(_("Choose one of %(join)s.", join=", ".join(LANGUAGES)), field="language")
    _set_own(user, "language", code)


def _set_own(user: User, setting: str, value: str | None) -> None:
    """A setting of a person's own, changed and audited (unchanged, nothing is recorded)."""
    before = getattr(user, setting)
    if value == before:
        return
    setattr(user, setting, value)
    record_event(
        user,
        f"user.{setting}",
        "user",
        user.id,
        city_id=user.city_id,
        before={setting: before},
        after={setting: value},
    )


def change_own_password(user: User, *, current: str, new: str, keep_session: str | None) -> None:
    if not user.check_password(current):
        raise Invalid(_("The current password is wrong."), field="current_password")
    try:
        check_password_rules(new, email=user.email, name=user.name)
    except Invalid as exc:
        raise Invalid(exc.message, field="new_password") from exc
    if new == current:
        raise Invalid(_("The new password must differ from the current one."), field="new_password")
    user.password_hash = hash_password(new)
    end_all_sessions(user, keep=keep_session)
    record_event(
        user,
        "user.change_password",
        "user",
        user.id,
        city_id=user.city_id,
        before=PASSWORD_NOT_LOGGED["before"],
        after=PASSWORD_NOT_LOGGED["after"],
    )


def set_reminders(user: User, frequency: str) -> None:
    """How often `user` gets reminders by e-mail (daily, weekly or none); audited."""
    from tracker.models.user import REMINDER_CHOICES

    if frequency not in REMINDER_CHOICES:
        raise Invalid(_("Choose daily, weekly or never."), field="reminders")
    before = user.reminders
    if before == frequency:
        return
    user.reminders = frequency
    record_event(
        user,
        "user.reminders",
        "user",
        user.id,
        city_id=user.city_id,
        before={"reminders": before},
        after={"reminders": frequency},
    )
