"""Dashboards' rendered parts, kept until the data changes.

Every transaction that changes the programme's data raises one counter (`data_versions`) in the
same transaction, just before it commits. A dashboard's rendered parts are cached under that
counter's value (with the page, its query, the day, the language and time zone, and whatever
else the page depends on), so a page is recomputed after any committed write and never served
from before one.

Unless PAGE_STALE_SECONDS (TRACKER_PAGE_STALE_SECONDS) is set: then a page rendered at most that
many seconds ago is served to other people even when writes came since (each worker renders a
busy page once per period, not once per write), but never to the person who wrote: a write
made with a signed-in browser notes its counter in that person's session, and a page from
before it is rendered again for them (read-your-writes). A restore (a new epoch) is seen at once.

A page's layout around those parts (the header with the person's name, navigation and forms)
is kept too, per person and sign-in, for a few minutes at most: its forms carry the sign-in's
CSRF token, signed with the time it was made.

The store is Redis when TRACKER_REDIS_URL is set (shared by every worker), else the worker's own
memory (cachelib's SimpleCache, bounded). PAGE_CACHE = False turns caching off.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from cachelib import BaseCache, NullCache, RedisCache, SimpleCache
from flask import (
    Flask,
    current_app,
    has_request_context,
    render_template,
    request,
    session,
)
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from tracker import i18n
from tracker.extensions import db
from tracker.models.meta import DataVersion
from tracker.timezones import zone_of

# Tables whose changes no page shows: the counter itself, the audit trail, sign-in throttles,
# one-time submission keys, sessions, API tokens, uploaded files awaiting confirmation and the
# day kept counts are dated by.
UNTRACKED = frozenset(
    {
        "data_versions",
        "audit_events",
        "sign_in_throttles",
        "submissions",
        "user_sessions",
        "account_links",
        "outgoing_mail",
        "api_tokens",
        "import_batches",
        # Counts the database keeps as of a stored day (migration 0024): moving the day
        # forward changes no figure of any day.
        "overdue_day",
        "city_overdue",
    }
)
CHANGED = "tracker_data_changed"
T = TypeVar("T")
# The blocks of a page template that are cached. They hold nothing of the session (no form with
# a CSRF token): what differs per person is named in `vary`.
CACHED_BLOCKS = ("title", "content", "scripts")
ONE_DAY = 24 * 3600
_DML = re.compile(r"^\s*(?:insert\s+into|update|delete\s+from)\s+\"?(\w+)", re.I)


def _table_of(entity: object) -> str | None:
    table = getattr(entity, "__table__", None)
    return getattr(table, "name", None)


def _note_flush(session: Session, _context: UOWTransaction) -> None:
    for entity in (*session.new, *session.dirty, *session.deleted):
        if _table_of(entity) not in UNTRACKED:
            session.info[CHANGED] = True
            return


def _note_statement(state: ORMExecuteState) -> None:
    statement = state.statement
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(statement, "table", None)
        name = getattr(table, "name", None)
    elif isinstance(statement, sa.TextClause) and (match := _DML.match(statement.text)):
        name = match.group(1)
    else:
        return
    if name not in UNTRACKED:
        state.session.info[CHANGED] = True


def _bump_before_commit(session: Session) -> None:
    session.flush()
    if session.info.pop(CHANGED, False):
        bumped = session.execute(
            sa.update(DataVersion)
            .values(version=DataVersion.version + 1)
            .returning(DataVersion.epoch, DataVersion.version)
        ).first()
        if bumped is not None:
            _note_own_write(f"{bumped[0]}.{bumped[1]}")


# Where a signed-in browser's session keeps the counter its own last write raised.
OWN_WRITE = "wrote"


def _note_own_write(version: str) -> None:
    """Remember in the writer's session (a signed-in browser's: an API client has none) the
    counter its write raised, so no page from before it is served to them."""
    if not has_request_context() or not current_app.config.get("PAGE_STALE_SECONDS"):
        return
    if current_app.config["SESSION_COOKIE_NAME"] in request.cookies:
        session[OWN_WRITE] = version


def _forget(session: Session, *_args: object) -> None:
    session.info.pop(CHANGED, None)


def track_writes() -> None:
    """Listen on every ORM session (once per process)."""
    if event.contains(Session, "before_commit", _bump_before_commit):
        return
    event.listen(Session, "after_flush", _note_flush)
    event.listen(Session, "do_orm_execute", _note_statement)
    event.listen(Session, "before_commit", _bump_before_commit)
    event.listen(Session, "after_rollback", _forget)


def init_app(app: Flask) -> None:
    track_writes()
    store: BaseCache
    if not app.config.get("PAGE_CACHE", True):
        store = NullCache()
    elif app.config.get("REDIS_URL"):
        import redis

        store = RedisCache(
            host=redis.Redis.from_url(app.config["REDIS_URL"]),
            key_prefix="tracker:page:",
            default_timeout=ONE_DAY,
        )
    else:
        store = SimpleCache(threshold=2000, default_timeout=ONE_DAY)
    app.extensions["tracker_cache"] = store


def store() -> BaseCache:
    store: BaseCache = current_app.extensions["tracker_cache"]
    return store


def data_version() -> str:
    """The counter (with its epoch) as this request's transaction sees it, read once."""
    known = request.environ.get("tracker.data_version")
    if known is None:
        known = request.environ["tracker.data_version"] = stored_version()
        request.environ["tracker.data_version_at"] = clock()
    return str(known)


def note_version(epoch: str, version: int) -> None:
    """The counter, read by another query of this request's transaction (the sign-in check)."""
    if has_request_context():
        request.environ["tracker.data_version"] = f"{epoch}.{version}"
        request.environ["tracker.data_version_at"] = clock()


def clock() -> float:
    """Seconds since the epoch (a function of its own, so tests can move time)."""
    return time.time()


def stored_version() -> str:
    """The counter as the current transaction sees it now (not remembered for the request)."""
    row = db.session.execute(sa.select(DataVersion.epoch, DataVersion.version)).first()
    return f"{row[0]}.{row[1]}" if row else "-"


def new_epoch(engine: sa.Engine) -> None:
    """After the database was replaced (a restore): no page cached before matches again."""
    with engine.begin() as connection:
        connection.execute(
            sa.update(DataVersion).values(
                epoch=secrets.token_hex(8), version=DataVersion.version + 1
            )
        )


def remembered(name: str, compute: Callable[[], T]) -> T:
    """`compute()`'s value, kept under `name` until the next write (outside a request: computed).
    None is not kept: it is computed again on the next call."""
    if not has_request_context():
        return compute()
    key = f"{data_version()}:value:{name}"
    cache = store()
    value: T | None = cache.get(key)
    if value is None:
        value = compute()
        if value is not None:
            cache.set(key, value)
    return value


def page_digest(name: str, extra: Iterable[object] = ()) -> str:
    """What a page's blocks depend on besides the data: template, address, query, day, language,
    time zone and `extra`."""
    query = sorted(request.args.items(multi=True))
    parts = (
        name,
        request.path,
        query,
        date.today().isoformat(),
        i18n.language(),
        zone_of().key,
        *extra,
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def render_blocks(name: str, context: Mapping[str, Any], blocks: Iterable[str]) -> dict[str, str]:
    """The named blocks of a page template rendered on their own, with the app's context."""
    app = current_app
    template = app.jinja_env.get_template(name)
    values = dict(context)
    app.update_template_context(values)
    ctx = template.new_context(values)
    return {
        block: "".join(template.blocks[block](ctx)) for block in blocks if block in template.blocks
    }


def render_page(
    name: str,
    build: Callable[[], Mapping[str, Any]],
    *,
    vary: Iterable[object] = (),
    layout: str = "_layouts/cached.html",
) -> str:
    """Render page template `name` with its blocks from the cache (built from `build()` on a
    miss), inside `layout` (kept per person: `shell_key`). `vary` names what else besides the
    data, the address, the day, the language and the time zone the blocks depend on."""
    digest = page_digest(name, vary)
    key, blocks = _kept_blocks(digest)
    cache = store()
    if blocks is None:
        blocks = render_blocks(name, build(), CACHED_BLOCKS)
        cache.set(key, blocks)
        if current_app.config.get("PAGE_STALE_SECONDS"):
            made_at = request.environ.get("tracker.data_version_at", clock())
            cache.set(LATEST + digest, (data_version(), made_at))
    # A mark where each block goes; an empty block stays empty (the layout shows its default).
    marks = {block: _mark(block) for block, text in blocks.items() if text}
    keep = keeps_shell()
    kept = shell_key(key, layout) if keep else None
    shell: str | None = cache.get(kept) if kept else None
    if shell is None:
        holes = {b: Markup(marks.get(b, "")) for b in blocks}  # noqa: S704  (comments of ours)
        shell = render_template(layout, blocks=holes)
        kept = kept or (shell_key(key, layout) if keep else None)  # its token is made now
        if kept:
            cache.set(kept, shell, timeout=SHELL_SECONDS)  # its period ends by then
    # One pass over the layout alone: what the blocks hold is never searched for a mark.
    by_mark = {mark: blocks[block] for block, mark in marks.items()}
    return "".join(by_mark.get(part, part) for part in _split(shell, marks.values()))


# Under PAGE_STALE_SECONDS, where the counter and time of a page's latest rendering are kept.
LATEST = "latest:"


def _kept_blocks(digest: str) -> tuple[str, dict[str, str] | None]:
    """The key and kept blocks of page `digest` under the current counter; or, within
    PAGE_STALE_SECONDS, of its latest rendering, unless this person wrote since or the database
    was replaced. (None: none may be served; the page is rendered under the key.)"""
    key = f"{data_version()}:{digest}"
    cache = store()
    blocks: dict[str, str] | None = cache.get(key)
    window = current_app.config.get("PAGE_STALE_SECONDS") or 0
    if blocks is not None or window <= 0:
        return key, blocks
    latest = cache.get(LATEST + digest)
    if latest is None:
        return key, None
    version, made_at = latest
    if clock() - made_at > window or not _before_no_own_write(version):
        return key, None
    kept_key = f"{version}:{digest}"
    kept: dict[str, str] | None = cache.get(kept_key)
    return (kept_key, kept) if kept is not None else (key, None)


def _before_no_own_write(version: str) -> bool:
    """Whether a page rendered under counter `version` may be shown to this person: from this
    database (the epoch), and not from before a write of theirs."""
    epoch, _, number = version.partition(".")
    if epoch != data_version().partition(".")[0] or not number.isdigit():
        return False
    cookie = current_app.config["SESSION_COOKIE_NAME"]
    own = session.get(OWN_WRITE) if cookie in request.cookies else None
    if not own:
        return True
    own_epoch, _, own_number = str(own).partition(".")
    return own_epoch != epoch or not own_number.isdigit() or int(number) >= int(own_number)


# A kept layout's forms carry CSRF tokens signed when it was rendered: it is kept for at most
# this long, well inside the tokens' time limit (Flask-WTF's default: an hour).
SHELL_SECONDS = 600


def shell_slot() -> int:
    """The current period of SHELL_SECONDS: a layout is kept within one."""
    return int(time.time()) // SHELL_SECONDS


def keeps_shell() -> bool:
    """Whether this request's layout may be kept: not without a session cookie (nothing of a
    person to keep), nor while a message waits to be shown once (rendering shows it)."""
    cookie = current_app.config["SESSION_COOKIE_NAME"]
    return cookie in request.cookies and "_flashes" not in session


def shell_key(page: str, layout: str) -> str | None:
    """Where the layout of page `page` is kept for this person and sign-in; None until the
    session holds its CSRF token (rendering a form makes it)."""
    token = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if not token:
        return None
    person = session.get("_user_id", "-")
    parts = (page, layout, token, person, shell_slot())
    return "shell:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _mark(block: str) -> str:
    """Where block `block` goes in a kept layout: a comment no one can write into a page
    without the app's secret key."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hashlib.blake2b(block.encode(), key=secret[:64], digest_size=16).hexdigest()
    return f"<!--block:{digest}-->"


def _split(shell: str, marks: Iterable[str]) -> list[str]:
    pattern = "|".join(re.escape(mark) for mark in marks)
    return re.split(f"({pattern})", shell) if pattern else [shell]
