"""Personal API tokens: issued by an admin, stored only as a hash, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.domain import permissions
from tracker.domain.errors import Invalid
from tracker.extensions import db
from tracker.models import ApiToken, User
from tracker.models.base import utcnow
from tracker.services.audit import record_event

TOKEN_PREFIX = "icc_"  # noqa: S105  (a marker that makes leaked tokens easy to scan for)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    actor: User | None, user: User, name: str, *, actor_label: str | None = None
) -> str:
    """Create a token for `user` and return it: the only time it is ever shown."""
    if actor is not None:
        permissions.require_admin(actor)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise Invalid(
            _("Name the token (1 to 100 characters), e.g. after the tool that uses it."),
            field="name",
        )
    if not user.is_active:
        raise Invalid(_("A deactivated account gets no token."), field="name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=_hash(token), prefix=token[:12])
    db.session.add(row)
    db.session.flush()
    record_event(
        actor,
        "token.issue",
        "api_token",
        row.id,
        actor_label=actor_label,
        city_id=user.city_id,
        before={},
        after={"user": user.email, "name": name, "prefix": row.prefix},
    )
    return token


def revoke_token(actor: User, token: ApiToken) -> None:
    permissions.require_admin(actor)
    if token.revoked_at is not None:
        raise Invalid(_("This token is revoked already."))
    token.revoked_at = utcnow()
    record_event(
        actor,
        "token.revoke",
        "api_token",
        token.id,
        city_id=token.user.city_id,
        before={"revoked_at": None},
        after={"revoked_at": token.revoked_at},
    )


def user_for_token(raw: str) -> User | None:
    """The active user a live token belongs to, or None."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    return db.session.scalar(
        sa.select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == _hash(raw),
            ApiToken.revoked_at.is_(None),
            User.is_active.is_(True),
        )
    )


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def live_tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        )
    )


def describe(token: ApiToken) -> str:
    state = "revoked" if token.revoked_at else "live"
    when: datetime = token.created_at
    return f"{token.name} ({token.prefix}…, {state}, issued {when:%Y-%m-%d})"
