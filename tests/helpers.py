"""Test builders and small helpers shared by the test modules."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask.testing import FlaskClient

from tracker.extensions import db
from tracker.models import Base, User
from tracker.services import accounts

PASSWORD = "correct horse battery staple"


def make_user(
    role: str = "viewer",
    *,
    city: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
    active: bool = True,
) -> User:
    user = accounts.create_user(
        None,
        email=email or f"{role}-{city or 'all'}@example.org",
        password=password,
        role=role,
        city_slug=city,
        actor_label="test",
    )
    user.is_active = active
    db.session.commit()
    return user


def login(client: FlaskClient, email: str, password: str = PASSWORD, **kwargs):  # type: ignore[no-untyped-def]
    return client.post("/auth/login", data={"email": email, "password": password}, **kwargs)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def row_counts() -> dict[str, int]:
    """Rows per table: the fingerprint tests compare to show that nothing was stored."""
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }
