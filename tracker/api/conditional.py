"""Conditional reads: every GET answer of the API carries an ETag made of the data version (the
counter every write raises, tracker/cache.py), who asks and what they ask. A client that sends
the ETag of its last answer back in If-None-Match gets 304 Not Modified, with no body, before
any record is read: polling an unchanged programme costs two small queries (whose token,
which data version)."""

from __future__ import annotations

import hashlib

from flask import Response, g, request

from tracker import cache, i18n
from tracker.api import PAGES, bp


def entity_tag() -> str:
    """The ETag of this request's answer as the data stands: weak, since the same data may go
    compressed or not (RFC 9110 8.8.1)."""
    user = g.api_user
    parts = (cache.data_version(), user.id, user.role, request.full_path, i18n.language())
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
    return None


@bp.after_request
def tagged(response: Response) -> Response:
    known = g.get("entity_tag")
    if known is not None and response.status_code == 200:
        response.set_etag(known, weak=True)
    return response
