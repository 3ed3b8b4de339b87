"""Conditional and cached reads: every GET answer of the API carries an ETag made of the data
version (the counter every write raises, tracker/cache.py), who asks and what they ask. A
client that sends the ETag of its last answer back in If-None-Match gets 304 Not Modified, with
no body, before any record is read: polling an unchanged programme costs two small queries
(whose token, which data version). The answer itself is kept in the dashboards' cache under its
ETag (compressed: a list of slugs or records shrinks to a tenth), so the same question asked
again before the next write is answered from there; a write raises the data version, and with
it every ETag."""

from __future__ import annotations

import hashlib
import zlib
from datetime import date

from flask import Response, g, request

from tracker import cache, i18n
from tracker.api import PAGES, bp

KEPT = "api:"
# What an answer takes in the cache, compressed (a page of 100 records, about 40 kB, takes 5 to
# 8 kB); larger ones are computed each time, so the cache's 2,000 entries stay within what a
# worker may hold.
KEEP_AT_MOST = 64 * 1024
# zlib's fastest level: a tenth of the size for well under a millisecond.
LEVEL = 1


def entity_tag() -> str:
    """The ETag of this request's answer as the data stands: weak, since the same data may go
    compressed or not (RFC 9110 8.8.1)."""
    user = g.api_user
    parts = (
        cache.data_version(),
        date.today().isoformat(),  # what is overdue or due soon changes with the day
        user.id,
        user.role,
        request.full_path,
        i18n.language(),
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _conditional(endpoint: str | None) -> bool:
    return request.method in ("GET", "HEAD") and endpoint not in PAGES and "api_user" in g


@bp.before_request
def not_modified() -> Response | None:
    """Registered after `authenticate`: a refused token is answered 401 before this runs."""
    if not _conditional(request.endpoint):
        return None
    g.entity_tag = entity_tag()
    if request.if_none_match.contains_weak(g.entity_tag):
        response = Response(status=304)
        response.set_etag(g.entity_tag, weak=True)
        return response
    kept = cache.store().get(KEPT + g.entity_tag)
    if kept is not None:
        g.answered_from_cache = True
        return Response(zlib.decompress(kept), status=200, mimetype="application/json")
    return None


@bp.after_request
def tagged(response: Response) -> Response:
    known = g.get("entity_tag")
    if known is None or response.status_code != 200:
        return response
    response.set_etag(known, weak=True)
    if not g.get("answered_from_cache") and response.mimetype == "application/json":
        packed = zlib.compress(response.get_data(), LEVEL)
        if len(packed) <= KEEP_AT_MOST:
            cache.store().set(KEPT + known, packed)
    return response
