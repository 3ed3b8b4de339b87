"""Reminders by e-mail, for cron or a systemd timer (`flask --app tracker reminders send`).

Each editor gets a digest of their city: actions with no update within the staleness window,
milestones due within the due-soon window, overdue ones, and, for a mentor city, its mentees
that need help. Each lead gets a weekly programme digest. Everyone chooses daily, weekly or no
reminders; nobody gets an empty message.

Sending is two steps. `decide` records each message to send in `outgoing_mail`, in the same
transaction as the decision, keyed by person, kind and period: a second run in the same period
decides nothing new. `deliver` sends what is recorded and not yet sent, with retries and
back-off, and marks each sent; what fails stays recorded and goes on the next run. A message
keeps its Message-ID across attempts, so the rare resend after a crash between sending and
marking is recognisably the same message."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import joinedload

from tracker import mail
from tracker.domain.errors import TooSoon
from tracker.extensions import db
from tracker.i18n import local_time
from tracker.models import AuditEvent, City, OutgoingMail, User
from tracker.queries.digests import ProgrammeDigest, city_digest, programme_digest
from tracker.queries.review import count_to_decide
from tracker.services import sign_in
from tracker.services.audit import record_event


def period_of(frequency: str, today: date) -> str:
    if frequency == "daily":
        return today.isoformat()
    year, week, _day = today.isocalendar()
    return f"{year}-W{week:02d}"


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="reminders-off")


def unsubscribe_token(user: User) -> str:
    return str(_signer().dumps(user.id))


def unsubscriber(token: str) -> User | None:
    """The account a reminders-off link was made for, if its signature holds."""
    try:
        user_id = _signer().loads(token)
    except BadSignature:
        return None
    return db.session.get(User, user_id) if isinstance(user_id, int) else None


def record(user: User, kind: str, period: str, template: str, **values: Any) -> OutgoingMail:
    off = mail.address("auth.reminders_off", token=unsubscribe_token(user))
    letter = mail.letter(
        user.email,
        user.language,
        template,
        user=user,
        unsubscribe=off,
        settings=mail.address("auth.password"),
        link=mail.address,
        **values,
    )
    row = OutgoingMail(
        user=user,
        kind=kind,
        period=period,
        message_id=mail.new_message_id(),
        subject=letter.subject,
        body_text=letter.text,
        body_html=letter.html,
        unsubscribe_url=off,
    )
    db.session.add(row)
    return row


def decide(today: date) -> list[OutgoingMail]:
    """Record the messages due for `today` that were not recorded yet in their period."""
    taken = {
        (user_id, kind, period)
        for user_id, kind, period in db.session.execute(
            sa.select(OutgoingMail.user_id, OutgoingMail.kind, OutgoingMail.period)
        )
    }
    people = db.session.scalars(
        sa.select(User)
        .where(User.is_active, User.reminders != "none")
        .options(joinedload(User.city))
        .order_by(User.id)
    ).all()
    recorded: list[OutgoingMail] = []
    programme: ProgrammeDigest | None = None
    for user in people:
        # Reviewers hear of the reports awaiting their decision in the same message.
        awaiting = count_to_decide(user)
        if user.role == "editor" and user.city is not None:
            period = period_of(user.reminders, today)
            if (user.id, "digest", period) in taken:
                continue
            digest = city_digest(user.city, today)
            if not digest.empty or awaiting:
                recorded.append(
                    record(
                        user,
                        "digest",
                        period,
                        "digest",
                        digest=digest,
                        today=today,
                        awaiting=awaiting,
                    )
                )
        elif user.role == "lead":
            period = period_of("weekly", today)
            if (user.id, "programme", period) in taken:
                continue
            programme = programme or programme_digest(today)
            if not programme.empty or awaiting:
                values = {"digest": programme, "today": today, "awaiting": awaiting}
                recorded.append(record(user, "programme", period, "programme", **values))
        elif awaiting:  # administrators, and viewers granted a city to review
            period = period_of(user.reminders, today)
            if (user.id, "awaiting", period) not in taken:
                recorded.append(
                    record(user, "awaiting", period, "awaiting", today=today, awaiting=awaiting)
                )
    db.session.flush()
    return recorded


def nudge(actor: User, city: City, note: str | None, today: date) -> list[OutgoingMail]:
    """A lead's reminder to one city's editors now, with an optional note (recorded like the
    others and in the audit trail, delivered at once by the caller). Once per city in
    REMIND_INTERVAL_MINUTES, counted in the audit trail, so every worker and host agrees."""
    _not_too_soon(city)
    digest = city_digest(city, today)
    editors = db.session.scalars(
        sa.select(User).where(User.city_id == city.id, User.role == "editor", User.is_active)
    ).all()
    key = f"nudge-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}"
    rows = [
        record(
            editor,
            "nudge",
            key,
            "nudge",
            digest=digest,
            today=today,
            note=note,
            sender=actor.display_name,
        )
        for editor in editors
    ]
    if rows:
        record_event(
            actor,
            "city.remind",
            "city",
            city.id,
            city_id=city.id,
            before={},
            after={"editors": [r.user.email for r in rows], "note": note},
        )
    return rows


def _not_too_soon(city: City) -> None:
    minutes = current_app.config["REMIND_INTERVAL_MINUTES"]
    if minutes <= 0:
        return
    last = db.session.scalar(
        sa.select(AuditEvent.created_at)
        .where(AuditEvent.city_id == city.id, AuditEvent.verb == "city.remind")
        .order_by(AuditEvent.created_at.desc())
        .limit(1)
    )
    if last is None:
        return
    retry_at = sign_in.aware(last) + timedelta(minutes=minutes)
    if retry_at > datetime.now(UTC):
        raise TooSoon(
            _(
                "%(city)s's editors were reminded at %(last)s; the next reminder can be sent "
                "from %(next)s.",
                city=city.name,
                last=local_time(last),
                next=local_time(retry_at),
            ),
            retry_at=retry_at,
        )


# Messages that carry a one-time link (an invitation, a password reset): once sent, their text is
# dropped, so a copy of the database (a backup) holds no link that still works.
ONE_TIME_LINKS = frozenset({"invite", "reset"})
LINK_NOT_KEPT = "(sent; its one-time link is not kept)"


@dataclass
class Delivery:
    sent: list[OutgoingMail] = field(default_factory=list)
    failed: list[OutgoingMail] = field(default_factory=list)


def deliver(
    rows: list[OutgoingMail] | None = None, *, sleep: Callable[[float], None] = time.sleep
) -> Delivery:
    """Send the recorded, unsent messages (these, or all), each tried MAIL_RETRIES times with
    doubling waits; each is committed as sent the moment it is, a failure stays unsent."""
    config = current_app.config
    pending = (
        rows
        if rows is not None
        else list(
            db.session.scalars(
                sa.select(OutgoingMail)
                .where(OutgoingMail.sent_at.is_(None))
                .options(joinedload(OutgoingMail.user))
                .order_by(OutgoingMail.id)
            )
        )
    )
    result = Delivery()
    for row in pending:
        wait = config["MAIL_BACKOFF_SECONDS"]
        for attempt in range(1, config["MAIL_RETRIES"] + 1):
            row.attempts += 1
            try:
                mail.send(
                    mail.Letter(
                        row.user.email,
                        row.subject,
                        row.body_text,
                        row.body_html,
                        _unsubscribe_headers(row.unsubscribe_url),
                        message_id=row.message_id,
                    )
                )
            except mail.MailError as failure:
                row.last_error = str(failure)
                if attempt < config["MAIL_RETRIES"]:
                    sleep(wait)
                    wait *= 2
                continue
            row.sent_at = datetime.now(UTC)
            row.last_error = None
            if row.kind in ONE_TIME_LINKS:  # sent: the link lives in the inbox only
                row.body_text = row.body_html = LINK_NOT_KEPT
            break
        (result.sent if row.sent_at else result.failed).append(row)
        db.session.commit()
    return result


def _unsubscribe_headers(url: str | None) -> dict[str, str]:
    if not url:
        return {}
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def turn_off(user: User) -> None:
    user.reminders = "none"
