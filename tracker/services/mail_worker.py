"""The mail worker (`flask --app tracker mail work`): delivers the messages recorded in
`outgoing_mail`, oldest first, each with the retries and back-off of `reminders.deliver`.

A message is claimed in a transaction of its own that holds its row while it is sent: on
PostgreSQL with FOR UPDATE SKIP LOCKED, so several workers on several hosts never take the same
message and never wait for each other; on SQLite run one worker. A message that could not be
sent stays recorded (its error kept) and is tried again by this worker after a pause that
doubles each time. SIGTERM (or SIGINT) stops the worker after the message in hand."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import OutgoingMail
from tracker.services import reminders


class Worker:
    def __init__(
        self, *, poll_seconds: float = 5.0, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.poll_seconds = poll_seconds
        self.sleep = sleep
        self.stopping = threading.Event()
        self.not_before: dict[int, tuple[float, float]] = {}  # id: (monotonic time, next pause)
        self.sent = 0
        self.failed = 0

    def stop(self, *_args: Any) -> None:
        self.stopping.set()

    def claim(self, tried: set[int]) -> OutgoingMail | None:
        """The oldest unsent message no other worker holds (not tried in this round, nor resting
        after a failure), its row held until this transaction ends."""
        now = time.monotonic()
        resting = [i for i, (until, _pause) in self.not_before.items() if until > now]
        resting += list(tried)
        query = (
            sa.select(OutgoingMail)
            .where(OutgoingMail.sent_at.is_(None), OutgoingMail.id.not_in(resting))
            .options(joinedload(OutgoingMail.user))
            .order_by(OutgoingMail.id)
            .limit(1)
        )
        if db.session.get_bind().dialect.name != "sqlite":
            query = query.with_for_update(skip_locked=True, of=OutgoingMail)
        return db.session.scalars(query).first()

    def deliver_one(self, tried: set[int]) -> bool:
        """Send one message if one is waiting (and not in `tried`); False when none is."""
        row = self.claim(tried)
        if row is None:
            db.session.rollback()
            return False
        tried.add(row.id)
        delivery = reminders.deliver([row], sleep=self.sleep)  # commits, releasing the row
        if delivery.sent:
            self.sent += 1
            self.not_before.pop(row.id, None)
        else:
            self.failed += 1
            pause = self.not_before.get(row.id, (0.0, current_app.config["MAIL_BACKOFF_SECONDS"]))[
                1
            ]
            self.not_before[row.id] = (time.monotonic() + pause, pause * 2)
        return True

    def run_once(self) -> None:
        """Try every message waiting now once, then return."""
        tried: set[int] = set()
        while not self.stopping.is_set() and self.deliver_one(tried):
            pass

    def stop_on_signals(self) -> None:
        """SIGTERM and SIGINT stop the worker after the message in hand."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.stop)

    def run(self) -> None:
        """Deliver until stopped, looking for new messages every `poll_seconds`."""
        while not self.stopping.is_set():
            self.run_once()
            db.session.remove()
            self.stopping.wait(self.poll_seconds)
