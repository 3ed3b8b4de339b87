"""Dashboards read while the API takes writes: a writer posts a progress report every 0.2 s
(5 writes a second, each emptying the dashboards' cache) while wrk reads a page; `bench.run`
sets each page's p95 beside its p95 without writes, with the app's default (no page from
before a write) and again with pages allowed STALE_SECONDS behind other people's writes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import requests
import sqlalchemy as sa

WRITES_PER_SECOND = 5
# TRACKER_PAGE_STALE_SECONDS of the second server.
STALE_SECONDS = 10


def writer_token(app: Any) -> tuple[str, list[int]]:
    """An API token of the bench's account, and actions it may report on."""
    from tracker.extensions import db
    from tracker.models import Action, User
    from tracker.services import tokens

    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == "bench@example.org")).one()
        token = tokens.issue_token(None, user, "bench-mixed", actor_label="bench")
        ids = list(db.session.scalars(sa.select(Action.id).order_by(Action.id).limit(50)))
        db.session.commit()
        db.session.remove()
    return token, ids


@contextmanager
def writing(base: str, token: str, ids: list[int]) -> Iterator[None]:
    """Post WRITES_PER_SECOND progress reports a second until the block ends."""
    stop = threading.Event()

    def post() -> None:
        session = requests.Session()
        session.trust_env = False
        n = 0
        while not stop.wait(1 / WRITES_PER_SECOND):
            n += 1
            session.post(
                f"{base}/api/v1/actions/{ids[n % len(ids)]}/progress",
                headers={"Authorization": f"Bearer {token}"},
                json={
                    "reported_on": date.today().isoformat(),
                    "status": "on_track",
                    "percent_complete": n % 100,
                    "note": f"bench mixed {n}",
                },
                timeout=30,
            )

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=60)


def p95s(
    base: str,
    cookie: str,
    addresses: list[str],
    token: str,
    ids: list[int],
    read: Callable[[str], float],
) -> list[tuple[float, float]]:
    """Each address's p95 (`read(url)`) without writes, then under WRITES_PER_SECOND writes."""
    results = []
    for address in addresses:
        requests.get(base + address, headers={"Cookie": cookie}, timeout=60)  # warm, as a visit
        alone = read(base + address)
        with writing(base, token, ids):
            results.append((alone, read(base + address)))
    return results
