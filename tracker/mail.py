"""Outgoing mail. With TRACKER_MAIL_URL a message goes to that SMTP server (smtp://: STARTTLS
whenever the server offers it, and never a password over a connection without TLS except to
this machine; smtps://: TLS from the start). Without it, each message is written to the outbox
folder as an .eml file and its path logged, so a person trying the app can read what would be
sent. Messages are multipart: plain text and HTML, in the recipient's language."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, has_request_context, render_template, request, url_for
from flask_babel import force_locale

from tracker.extensions import db
from tracker.i18n import DEFAULT_LANGUAGE, LANGUAGES

log = logging.getLogger(__name__)
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class MailError(Exception):
    """A message could not be handed to the mail server."""


@dataclass
class Letter:
    """A message to one person, made from a pair of templates (mail/NAME.txt, mail/NAME.html)."""

    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    message_id: str | None = None  # kept when a recorded message is sent again


def letter(
    to: str,
    language: str | None,
    template: str,
    headers: dict[str, str] | None = None,
    **values: Any,
) -> Letter:
    """The message `template` for `to`, written in `language` (the interface's, else English)."""
    chosen = language if language in LANGUAGES else DEFAULT_LANGUAGE
    with force_locale(chosen):
        text = render_template(f"mail/{template}.txt", **values)
        html = render_template(f"mail/{template}.html", **values)
    subject, _blank, body = text.partition("\n\n")
    return Letter(to, subject.strip(), body.strip() + "\n", html, dict(headers or {}))


def message_of(letter: Letter) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = letter.to
    message["Subject"] = letter.subject
    message["Date"] = format_datetime(_now())
    message["Message-ID"] = letter.message_id or new_message_id()
    for name, value in letter.headers.items():
        message[name] = value
    message.set_content(letter.text)
    message.add_alternative(letter.html, subtype="html")
    return message


def send(letter: Letter) -> EmailMessage:
    """Hand `letter` to the mail server, or write it to the outbox; MailError if that fails."""
    message = message_of(letter)
    url = current_app.config.get("MAIL_URL")
    if url:
        _smtp(url, message)
    else:
        _to_outbox(message)
    return message


def to_server() -> bool:
    """Whether messages go to a mail server (TRACKER_MAIL_URL), rather than to the outbox."""
    return bool(current_app.config.get("MAIL_URL"))


def where_written() -> str:
    """What became of a message without a mail server, in the words a command says it."""
    return f"written to {outbox()} (not sent: no TRACKER_MAIL_URL)"


def outbox() -> Path:
    folder = current_app.config.get("MAIL_OUTBOX") or Path(current_app.instance_path) / "outbox"
    return Path(folder)


def _to_outbox(message: EmailMessage) -> None:
    folder = outbox()
    folder.mkdir(parents=True, exist_ok=True)
    name = message["Message-ID"].strip("<>").replace("@", "_at_").replace("/", "_")
    path = folder / f"{name}.eml"
    path.write_bytes(bytes(message))
    # A warning, so that it shows with the default logging: the message was not sent.
    log.warning("mail to %s not sent (no TRACKER_MAIL_URL): written to %s", message["To"], path)


def _smtp(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailError(
            f"TRACKER_MAIL_URL must be smtp://host:port or smtps://host:port, not {url!r}"
        )
    timeout = current_app.config["MAIL_TIMEOUT_SECONDS"]
    context = ssl.create_default_context()
    try:
        if parts.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                parts.hostname, parts.port or 465, timeout=timeout, context=context
            )
        else:
            client = smtplib.SMTP(parts.hostname, parts.port or 587, timeout=timeout)
        with client:
            client.ehlo()
            secure = parts.scheme == "smtps"
            if not secure and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
                secure = True
            if parts.username:
                if not secure and parts.hostname not in LOOPBACK:
                    raise MailError("the mail server offers no TLS: no password is sent without it")
                client.login(unquote(parts.username), unquote(parts.password or ""))
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{parts.hostname}:{parts.port}: {exc}") from exc


def new_message_id() -> str:
    return make_msgid(domain=_domain())


def _domain() -> str:
    address = current_app.config["MAIL_FROM"]
    return address.rsplit("@", 1)[-1].strip("> ") or "localhost"


def _now() -> datetime:
    return datetime.now(UTC)


def address(endpoint: str, **values: Any) -> str:
    """An address of this app in full: on this request's host, else at TRACKER_BASE_URL (for
    messages sent from the command line)."""
    if has_request_context():
        return request.host_url.rstrip("/") + url_for(endpoint, **values)
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, url_scheme=base.scheme, script_name=base.path or "/"
    )
    return adapter.build(endpoint, values, force_external=True)


# Messages recorded during a request that the web delivers once its answer has gone.
LATER = "mail-after-answer"


def deliver_later(ids: list[int]) -> None:
    """Ask for these recorded messages (outgoing_mail ids) to go once the request's answer
    has gone, if it succeeds (tracker/__init__.py); a command delivers its own."""
    db.session.info.setdefault(LATER, []).extend(ids)
