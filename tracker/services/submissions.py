"""One submission, one record: a write sent with a one-time key (a form's hidden submission key,
the API's Idempotency-Key header) is remembered with its answer in the same transaction, so the
same key sent again by the same person stores nothing and gets the first answer."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.domain.errors import Invalid
from tracker.extensions import db
from tracker.models import Submission, User

FORM_FIELD = "submission_key"
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, as the header allows


def new_key() -> str:
    return secrets.token_urlsafe(24)


def check_key(key: str) -> str:
    if not KEY_PATTERN.fullmatch(key):
        raise Invalid(
            _("An idempotency key is 1 to 255 printable ASCII characters."), field="Idempotency-Key"
        )
    return key


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def find(user: User, key: str) -> Submission | None:
    return db.session.scalar(
        sa.select(Submission).where(Submission.user_id == user.id, Submission.key == key)
    )


def remember(
    user: User,
    key: str,
    *,
    fingerprint: str,
    status: int,
    location: str | None = None,
    body: str | None = None,
) -> None:
    """Record the answer in the write's own transaction: both are kept, or neither."""
    db.session.add(
        Submission(
            user_id=user.id,
            key=key,
            fingerprint=fingerprint,
            status=status,
            location=location,
            body=body,
        )
    )
    db.session.flush()


MIN_KEEP_HOURS = 24  # a client may retry a write for a day and still be recognised


def prune(keep_hours: int) -> int:
    cutoff = datetime.now(UTC) - timedelta(hours=max(keep_hours, MIN_KEEP_HOURS))
    result = db.session.execute(sa.delete(Submission).where(Submission.created_at < cutoff))
    return cast("sa.CursorResult[Any]", result).rowcount
