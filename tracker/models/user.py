"""Accounts and their sign-in sessions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash

from tracker.models.base import Base, UTCDateTime, one_of, utcnow
from tracker.models.city import City

if TYPE_CHECKING:
    from tracker.models.review import ReviewGrant

USER_ROLES = ("admin", "lead", "editor", "viewer")
REMINDER_CHOICES = ("daily", "weekly", "none")
# How a reviewer hears of new submissions: in the reminder digest, or a message each time.
REVIEW_MAIL_CHOICES = ("digest", "immediate")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20))
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    is_demo: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # An IANA zone name (Europe/Berlin); empty means the site's default (TRACKER_TIME_ZONE).
    time_zone: Mapped[str | None] = mapped_column(sa.String(64))
    # "en" or "de"; empty means the browser's choice (Accept-Language), else English.
    language: Mapped[str | None] = mapped_column(sa.String(5))
    # How often reminders come by e-mail: daily, weekly or none.
    reminders: Mapped[str] = mapped_column(sa.String(10), default="weekly", server_default="weekly")
    review_mail: Mapped[str] = mapped_column(
        sa.String(10), default="digest", server_default="digest"
    )
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    city: Mapped[City | None] = relationship()
    review_grants: Mapped[list[ReviewGrant]] = relationship(
        viewonly=True, primaryjoin="User.id == ReviewGrant.user_id"
    )

    @property
    def review_city_ids(self) -> frozenset[int]:
        """The cities this account reviews by a grant (leads and administrators review all)."""
        return frozenset(g.city_id for g in self.review_grants)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        one_of("role", USER_ROLES),
        one_of("reminders", REMINDER_CHOICES),
        one_of("review_mail", REVIEW_MAIL_CHOICES),
        # An editor is bound to exactly one city; no other role is.
        sa.CheckConstraint(
            "(role = 'editor' AND city_id IS NOT NULL) OR (role <> 'editor' AND city_id IS NULL)",
            name="editor_has_city",
        ),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    # Not a column: the sign-in session this object was loaded through (see UserSession).
    session_id = None  # type: str | None

    # Flask-Login's user interface; is_active is the column above.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str | None:
        return self.session_id

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def display_name(self) -> str:
        return self.name or self.email


class UserSession(Base):
    """One signed-in browser. The cookie carries only this row's random id, so deleting the row
    ends that sign-in for real, even for a copy of the cookie taken earlier."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class ApiToken(Base):
    """A personal API token. Only its SHA-256 hash is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Submission(Base):
    """A write that was sent with a one-time key (a form's hidden submission key, or the API's
    Idempotency-Key header) and what it answered, so that the same key sent again stores
    nothing and gets the first answer."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(255))
    # A digest of the request (method, path, body): the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int]
    location: Mapped[str | None] = mapped_column(sa.String(2000))
    body: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)


class SignInThrottle(Base):
    """Failed sign-ins of one account (by its normalised e-mail, known or not) in the current
    window: one row per account and window, counted in place, instead of a row per attempt."""

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(sa.String(254), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failures: Mapped[int]


ACCOUNT_LINK_PURPOSES = ("invite", "reset")


class AccountLink(Base):
    """A single-use link that lets a person set their password: an invitation to a new account
    or a password reset. Only the SHA-256 hash of its token is stored."""

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(10))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    __table_args__ = (one_of("purpose", ACCOUNT_LINK_PURPOSES),)


class OutgoingMail(Base):
    """A message decided on and recorded before it is sent: the record is written in the same
    transaction as the decision, so a crash loses nothing and a second run in the same period
    decides nothing new; delivery marks it sent, and a failed one is tried again later."""

    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    # The period it covers (2026-11-26, 2026-W48) or, for a one-off, its own key.
    period: Mapped[str] = mapped_column(sa.String(40))
    message_id: Mapped[str] = mapped_column(sa.String(200))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    unsubscribe_url: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("user_id", "kind", "period"),)
