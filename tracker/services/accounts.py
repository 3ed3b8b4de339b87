"""Accounts: creating users, checking passwords, and the sign-in sessions behind the cookie."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.domain import permissions
from tracker.domain.errors import Invalid
from tracker.extensions import db
from tracker.i18n import LANGUAGES
from tracker.models import City, ReviewGrant, User
from tracker.models.user import REMINDER_CHOICES, REVIEW_MAIL_CHOICES, USER_ROLES
from tracker.services.audit import record_event, record_own, update_versioned
from tracker.services.passwords import check_password_rules, hash_password
from tracker.services.sign_in import end_all_sessions, normalise_email
from tracker.services.tokens import live_tokens_of, revoke_token
from tracker.timezones import is_time_zone

# What the audit trail says of a password change: that it happened, never the values.
PASSWORD_NOT_LOGGED = {
    "before": {"password": "(old, not logged)"},
    "after": {"password": "(new, not logged)", "sessions": "ended"},
}


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
    name = (name or "").strip() or None
    if name is not None and not is_time_zone(name):
        raise Invalid(_("%(name)s is not a known time zone.", name=repr(name)), field="time_zone")
    _set_own(user, "time_zone", name)


def set_language(user: User, code: str | None) -> None:
    """A person's own language ("en" or "de"), or None for the browser's choice."""
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
    record_own(
        user,
        "user.change_password",
        before=PASSWORD_NOT_LOGGED["before"],
        after=PASSWORD_NOT_LOGGED["after"],
    )


def _set_choice(user: User, name: str, value: str, allowed: tuple[str, ...], refusal: str) -> None:
    """One of a person's choices (a column of theirs from `allowed`), set and audited."""
    if value not in allowed:
        raise Invalid(refusal, field=name)
    before = getattr(user, name)
    if before == value:
        return
    setattr(user, name, value)
    record_own(user, f"user.{name}", before={name: before}, after={name: value})


def set_review_mail(user: User, choice: str) -> None:
    """How a reviewer hears of new reports to review (digest or immediate); audited."""
    refusal = _("Choose the digest or a message for each submission.")
    _set_choice(user, "review_mail", choice, REVIEW_MAIL_CHOICES, refusal)


def set_reminders(user: User, frequency: str) -> None:
    """How often `user` gets reminders by e-mail (daily, weekly or none); audited."""
    _set_choice(user, "reminders", frequency, REMINDER_CHOICES, _("Choose daily, weekly or never."))


def grant_review(actor: Any, user: User, city_slug: str, *, revoke: bool = False) -> bool:
    """Grant `user` the review permission for one city (a mentor city's staff for a mentee),
    or take it back; audited. False when nothing changes."""
    city = db.session.scalar(select(City).where(City.slug == city_slug))
    if city is None:
        raise Invalid(_("No city is called %(slug)s.", slug=city_slug), field="city")
    found = db.session.scalar(
        select(ReviewGrant).where(ReviewGrant.user_id == user.id, ReviewGrant.city_id == city.id)
    )
    if (found is None) != revoke:
        if revoke:
            db.session.delete(found)
        else:
            db.session.add(ReviewGrant(user_id=user.id, city_id=city.id))
    else:
        return False
    record_event(
        actor,
        "user.review_revoke" if revoke else "user.review_grant",
        "user",
        user.id,
        actor_label="cli",
        city_id=city.id,
        before={},
        after={"email": user.email, "city": city.slug},
    )
    db.session.flush()
    return True
