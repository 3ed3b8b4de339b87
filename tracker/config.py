"""Configuration defaults and the TRACKER_* environment overrides; no I/O at import."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# The project's checkout: templates, seeds, migrations and built assets live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "ENV_NAME": "development",
    "SQLALCHEMY_DATABASE_URI": None,  # filled in by the factory: SQLite in the instance folder
    # PostgreSQL's pooled connections are tried only after lying idle (tracker/database.py).
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "SEEDS_DIR": None,  # filled in by the factory: <project>/seeds
    # Hashed, compressed static files (tracker/assets); filled in: <project>/build/assets
    "ASSETS_DIR": None,
    "STALE_AFTER_DAYS": 60,
    "DUE_SOON_DAYS": 30,
    # Outgoing mail: an SMTP server's URL (smtp:// with STARTTLS, smtps:// with TLS), else each
    # message is written to MAIL_OUTBOX (instance/outbox when empty) as an .eml file.
    "MAIL_URL": None,
    "MAIL_FROM": "ICC Tracker <tracker@localhost>",
    "MAIL_OUTBOX": None,
    "MAIL_TIMEOUT_SECONDS": 10,
    # A message the server refuses is tried this many times, waiting twice as long each time.
    "MAIL_RETRIES": 3,
    "MAIL_BACKOFF_SECONDS": 2.0,
    # Who hands a web request's messages to the mail server: "worker" (`flask mail work`; no
    # web process talks to it) or "request" (the process that served the request, once its
    # answer has gone). Empty: "worker" when TRACKER_ENV is production, else "request".
    "MAIL_DELIVERY": None,
    # Password-reset requests: per client address, and per e-mail address asked about.
    "RESET_RATE_LIMIT": "10 per hour",
    "RESET_PER_ADDRESS_LIMIT": "3 per hour",
    # The app's address, for links in messages sent outside a request (the CLI).
    "BASE_URL": "http://127.0.0.1:5000",
    # The public view of the programme (/public/): off unless TRACKER_PUBLIC_PAGES is set.
    "PUBLIC_PAGES": False,
    # Review before publishing: "required" (a report waits for a reviewer's approval before the
    # public view shows it) or "off" (every report approved on entry). Empty: "required" when
    # the public view is on, else "off".
    "REVIEW": None,
    # A mentee needs help from this many severity points (tracker/services/mentorships.py).
    "HELP_THRESHOLD": 5,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,
    # A sign-in ends this long after it began, however active (an absolute session timeout).
    "SESSION_MAX_AGE_HOURS": 12,
    # Failed sign-ins per account and client address (counted in the database, so every worker
    # sees one count): past the limit within the window that pair is refused, right password or
    # not; the owner signing in from another address still gets in...
    "SIGN_IN_MAX_FAILURES": 10,
    "SIGN_IN_WINDOW_MINUTES": 15,
    # ... and over every address, a slower ceiling (ASVS 2.2.1: at most 100 failures an hour).
    "SIGN_IN_ACCOUNT_MAX_FAILURES": 100,
    "SIGN_IN_ACCOUNT_WINDOW_MINUTES": 60,
    # Per client address (Flask-Limiter): sign-in attempts, and API requests with a bad token.
    "SIGN_IN_RATE_LIMIT": "30 per minute;300 per hour",
    "TOKEN_FAILURE_RATE_LIMIT": "30 per minute;300 per hour",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    # Answers compressed on the way out (Flask-Compress): brotli or gzip, from 1 kB. Each answer
    # is compressed as it goes out, cached page or not, so at the quickest level (as nginx's
    # gzip by default): a dashboard's 47 kB of HTML in 0.08 ms to 7.9 kB, where brotli's
    # default level took 0.33 ms (a fifth of a cached page's time) to 6.8 kB. Static files are
    # compressed once, at the highest level, when they are built (tracker/assets).
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_BR_LEVEL": 1,
    "COMPRESS_LEVEL": 1,
    "COMPRESS_MIN_SIZE": 1024,
    "COMPRESS_MIMETYPES": ["text/html", "application/json", "text/csv"],
    "COMPRESS_STREAMS": False,
    "REDIS_URL": None,
    # A name for this app host, sent as the X-Served-By header of every answer, so an operator
    # can tell which host behind the load balancer answered (unset: no header).
    "SERVED_BY": None,
    # Dashboards' rendered parts are kept until the next write (tracker/cache.py).
    "PAGE_CACHE": True,
    # ... or, when above 0, a page rendered at most this many seconds ago is still served to
    # everyone but the person who wrote since (0: never a page from before a write).
    "PAGE_STALE_SECONDS": 0,
    # Proxies in front of the app (a load balancer: 1). Their X-Forwarded-For and -Proto are
    # trusted that many hops deep, so limits count the client's address, not the proxy's.
    "PROXY_HOPS": 0,
    # ... honoured only for requests from these addresses or networks (commas between).
    "TRUSTED_PROXIES": "127.0.0.0/8, ::1",
    # ... and ends after this long without a request (an idle timeout).
    "IDLE_TIMEOUT_MINUTES": 30,
    # An uploaded file not confirmed within this time is dropped by `flask prune`.
    "IMPORT_BATCH_MAX_AGE_HOURS": 24,
    # Submission and Idempotency-Key records are kept this long, then dropped by `flask prune`.
    "SUBMISSION_KEEP_HOURS": 48,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
    # A lead reminds one city's editors at most once in this many minutes (0: no limit).
    "REMIND_INTERVAL_MINUTES": 60,
    # An API body (a report) is a few hundred bytes; larger is refused (413) before it is read.
    "API_MAX_BODY_BYTES": 64 * 1024,
    "IMPORT_MAX_BYTES": 2 * 1024 * 1024,
    # An import is read as a stream and refused past these, whatever the file declares.
    "IMPORT_MAX_ROWS": 10_000,
    "IMPORT_MAX_COLUMNS": 50,
    "IMPORT_MAX_EXPANDED_BYTES": 20 * 1024 * 1024,
    "WTF_CSRF_ENABLED": True,
    # Moments (entry times, audit times) are shown in the person's time zone, else this one.
    "TIME_ZONE": "Europe/Berlin",
    # werkzeug's scrypt at its default cost; tests lower the cost, never the algorithm.
    "PASSWORD_HASH_METHOD": "scrypt",
}


def _seconds(value: str) -> int:
    """A whole number of seconds, 0 or more."""
    seconds = int(value)
    if seconds < 0:
        raise ValueError("a number of seconds, 0 or more")
    return seconds


# Environment variable -> config key, with a converter. Only these are read.
ENVIRONMENT: dict[str, tuple[str, Any]] = {
    "TRACKER_ENV": ("ENV_NAME", str),
    "TRACKER_DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "TRACKER_SECRET_KEY": ("SECRET_KEY", str),
    "TRACKER_SEEDS_DIR": ("SEEDS_DIR", str),
    "TRACKER_ASSETS_DIR": ("ASSETS_DIR", str),
    "TRACKER_STALE_AFTER_DAYS": ("STALE_AFTER_DAYS", int),
    "TRACKER_HELP_THRESHOLD": ("HELP_THRESHOLD", int),
    "TRACKER_PASSWORD_HASH_METHOD": ("PASSWORD_HASH_METHOD", str),
    "TRACKER_IMPORT_MAX_BYTES": ("IMPORT_MAX_BYTES", int),
    "TRACKER_IMPORT_MAX_ROWS": ("IMPORT_MAX_ROWS", int),
    "TRACKER_API_MAX_BODY_BYTES": ("API_MAX_BODY_BYTES", int),
    "TRACKER_REMIND_INTERVAL_MINUTES": ("REMIND_INTERVAL_MINUTES", int),
    "TRACKER_SESSION_MAX_AGE_HOURS": ("SESSION_MAX_AGE_HOURS", int),
    "TRACKER_IDLE_TIMEOUT_MINUTES": ("IDLE_TIMEOUT_MINUTES", int),
    "TRACKER_TIME_ZONE": ("TIME_ZONE", str),
    "TRACKER_REDIS_URL": ("REDIS_URL", str),
    "TRACKER_RATELIMIT_KEY_PREFIX": ("RATELIMIT_KEY_PREFIX", str),
    "TRACKER_PROXY_HOPS": ("PROXY_HOPS", int),
    "TRACKER_SERVED_BY": ("SERVED_BY", str),
    "TRACKER_PAGE_STALE_SECONDS": ("PAGE_STALE_SECONDS", _seconds),
    "TRACKER_TRUSTED_PROXIES": ("TRUSTED_PROXIES", str),
    "TRACKER_SIGN_IN_RATE_LIMIT": ("SIGN_IN_RATE_LIMIT", str),
    "TRACKER_SIGN_IN_MAX_FAILURES": ("SIGN_IN_MAX_FAILURES", int),
    "TRACKER_SIGN_IN_WINDOW_MINUTES": ("SIGN_IN_WINDOW_MINUTES", int),
    "TRACKER_SIGN_IN_ACCOUNT_MAX_FAILURES": ("SIGN_IN_ACCOUNT_MAX_FAILURES", int),
    "TRACKER_SIGN_IN_ACCOUNT_WINDOW_MINUTES": ("SIGN_IN_ACCOUNT_WINDOW_MINUTES", int),
    "TRACKER_TOKEN_FAILURE_RATE_LIMIT": ("TOKEN_FAILURE_RATE_LIMIT", str),
    "TRACKER_RESET_RATE_LIMIT": ("RESET_RATE_LIMIT", str),
    "TRACKER_RESET_PER_ADDRESS_LIMIT": ("RESET_PER_ADDRESS_LIMIT", str),
    "TRACKER_SUBMISSION_KEEP_HOURS": ("SUBMISSION_KEEP_HOURS", int),
    "TRACKER_MAIL_URL": ("MAIL_URL", str),
    "TRACKER_BASE_URL": ("BASE_URL", str),
    "TRACKER_MAIL_FROM": ("MAIL_FROM", str),
    "TRACKER_MAIL_OUTBOX": ("MAIL_OUTBOX", str),
    "TRACKER_MAIL_DELIVERY": ("MAIL_DELIVERY", str),
    "TRACKER_PUBLIC_PAGES": ("PUBLIC_PAGES", lambda v: v.lower() in {"1", "true", "yes"}),
    "TRACKER_REVIEW": ("REVIEW", str),
    "TRACKER_SESSION_COOKIE_SECURE": (
        "SESSION_COOKIE_SECURE",
        lambda v: v.lower() in {"1", "true", "yes"},
    ),
}


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The config values set by TRACKER_* variables, converted to their types."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name, (key, convert) in ENVIRONMENT.items():
        raw = environ.get(name)
        if raw is None or raw == "":
            continue
        try:
            values[key] = convert(raw)
        except ValueError as exc:
            raise RuntimeError(f"{name}={raw!r} is not valid: {exc}") from exc
    return values


MIN_SECRET_KEY_LENGTH = 32


def production_problems(config: Mapping[str, Any], *, workers: int, hosts: int) -> list[str]:
    """What stops this configuration from serving in production, for `workers` processes per
    host on `hosts` hosts."""
    problems: list[str] = []
    key = str(config.get("SECRET_KEY") or "")
    if config.get("SECRET_KEY_GENERATED"):
        problems.append(
            "TRACKER_SECRET_KEY is not set: the key was generated in this host's instance "
            "folder, so no other host can read its sessions. Set a long random value."
        )
    elif len(key) < MIN_SECRET_KEY_LENGTH:
        problems.append(
            f"TRACKER_SECRET_KEY is {len(key)} characters long: use at least "
            f"{MIN_SECRET_KEY_LENGTH} random ones."
        )
    if config.get("BASE_URL") == DEFAULTS["BASE_URL"]:
        problems.append(
            "TRACKER_BASE_URL is not set: links in messages would point at "
            f"{DEFAULTS['BASE_URL']}. Set the address people open."
        )
    if not config.get("MAIL_URL"):
        problems.append(
            "TRACKER_MAIL_URL is not set: messages are only written to the outbox folder, "
            "nobody receives them. Set the SMTP server's URL."
        )
    if (workers > 1 or hosts > 1) and not config.get("REDIS_URL"):
        problems.append(
            f"{workers} worker(s) on {hosts} host(s) without TRACKER_REDIS_URL: each process "
            "would count rate limits and keep dashboards apart. Set a Redis URL."
        )
    if config.get("PROXY_HOPS") and not str(config.get("TRUSTED_PROXIES") or "").strip():
        problems.append(
            "TRACKER_PROXY_HOPS is set without TRACKER_TRUSTED_PROXIES: no proxy's forwarded "
            "address would be believed. Name the proxies' addresses."
        )
    database = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if hosts > 1 and database.startswith("sqlite"):
        problems.append(
            f"SQLite under {hosts} hosts: each host would have a database of its own. Set "
            "TRACKER_DATABASE_URL to PostgreSQL."
        )
    return problems


def production_warnings(config: Mapping[str, Any]) -> list[str]:
    """What looks odd in this configuration without stopping it."""
    warnings: list[str] = []
    if config.get("ENV_NAME") != "production":
        warnings.append("TRACKER_ENV is not production: HTTPS-only cookies and HSTS are off.")
    if (
        str(config.get("BASE_URL") or "").startswith("http://")
        and config.get("ENV_NAME") == "production"
    ):
        warnings.append("TRACKER_BASE_URL is http://: people and links should use https://.")
    if config.get("ENV_NAME") == "production" and config.get("MAIL_DELIVERY") == "request":
        warnings.append(
            "TRACKER_MAIL_DELIVERY=request: web processes talk to the mail server; run "
            "`flask mail work` and set it to worker."
        )
    if config.get("PLOTLY_FULL_BUNDLE"):
        warnings.append(
            "plotly.js is the full bundle (about 1.1 MB compressed): build the small one with "
            "npm (`make install`), so that a phone's first chart comes four times sooner."
        )
    if config.get("PUBLIC_PAGES") and config.get("REVIEW") == "off":
        warnings.append(
            "The public view is on with TRACKER_REVIEW=off: reports are public as typed."
        )
    return warnings


MAIL_DELIVERY_CHOICES = ("worker", "request")


def mail_delivery_setting(delivery: str | None, env_name: str) -> str:
    """TRACKER_MAIL_DELIVERY as the app uses it; empty follows TRACKER_ENV."""
    if not delivery:
        return "worker" if env_name == "production" else "request"
    if delivery not in MAIL_DELIVERY_CHOICES:
        raise RuntimeError(
            f"TRACKER_MAIL_DELIVERY={delivery!r} is not valid: it is 'worker' or 'request'."
        )
    return delivery


REVIEW_CHOICES = ("required", "off")


def review_setting(review: str | None, public_pages: bool) -> str:
    """TRACKER_REVIEW as the app uses it: "required" or "off"; empty follows the public view."""
    if not review:
        return "required" if public_pages else "off"
    if review not in REVIEW_CHOICES:
        raise RuntimeError(f"TRACKER_REVIEW={review!r} is not valid: it is 'required' or 'off'.")
    return review


def normalise_database_url(url: str) -> str:
    """Let operators write postgres:// or postgresql:// and still get the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
