"""Conditional reads of the API: an answer's ETag sent back in If-None-Match gets 304 with no
body while nothing has changed, after any write a full answer with a new ETag; the ETag is
the asker's own, and a refused token is refused whatever it sends."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import event

from tests.web.test_api import bearer, token_for
from tests.web.test_api import world as world  # the fixture
from tracker.extensions import db

LISTS = ["/api/v1/cities?limit=5", "/api/v1/actions", "/api/v1/milestones?limit=3"]


def read_with_its_selects(client, url: str, headers: dict[str, str]) -> tuple[Any, list[str]]:
    """The answer to a GET, and the SELECTs it ran (their first lines)."""
    selects: list[str] = []

    def seen(*args: object) -> None:
        if str(args[2]).startswith("SELECT"):
            selects.append(str(args[2]).split("\n")[0][:80])

    engine = db.engines[None].engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        answer = client.get(url, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return answer, selects


@pytest.mark.parametrize("url", LISTS)
def test_an_unchanged_answer_is_304_without_a_body(client, url):
    asker = bearer(token_for("viewer"))
    first = client.get(url, headers=asker)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert tag.startswith('W/"')
    again = client.get(url, headers={**asker, "If-None-Match": tag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == tag
    # Another page, another question: a full answer.
    other = client.get(
        url + ("&" if "?" in url else "?") + "offset=1", headers={**asker, "If-None-Match": tag}
    )
    assert other.status_code == 200


def test_a_304_reads_no_record(client):
    asker = bearer(token_for("viewer"))
    tag = client.get("/api/v1/cities?limit=100", headers=asker).headers["ETag"]
    answer, reads = read_with_its_selects(
        client, "/api/v1/cities?limit=100", {**asker, "If-None-Match": tag}
    )
    assert answer.status_code == 304
    assert len(reads) == 2, reads  # whose token it is, and the data version
    assert not [s for s in reads if "cities" in s]


def test_after_a_write_the_answer_is_full_again(client, world):
    editor = bearer(token_for("editor", "bamberg"))
    url = "/api/v1/progress-updates"
    tag = client.get(url, headers=editor).headers["ETag"]
    written = client.post(
        f"/api/v1/actions/{world['action'].id}/progress",
        headers=editor,
        json={"reported_on": date.today().isoformat(), "status": "on_track", "percent_complete": 5},
    )
    assert written.status_code == 201
    after = client.get(url, headers={**editor, "If-None-Match": tag})
    assert after.status_code == 200
    assert after.headers["ETag"] != tag
    assert after.get_json()["total"] >= 1


def test_the_etag_is_the_askers_own_and_a_bad_token_is_refused(client):
    viewer = bearer(token_for("viewer"))
    lead = bearer(token_for("lead"))
    tag = client.get("/api/v1/cities", headers=viewer).headers["ETag"]
    assert client.get("/api/v1/cities", headers={**lead, "If-None-Match": tag}).status_code == 200
    refused = client.get(
        "/api/v1/cities", headers={**bearer("icc_not-a-real-token"), "If-None-Match": tag}
    )
    assert refused.status_code == 401
    assert client.get("/api/v1/cities", headers={"If-None-Match": tag}).status_code == 401
    # A malformed If-None-Match is no match: the full answer.
    garbled = client.get("/api/v1/cities", headers={**viewer, "If-None-Match": '"unclosed'})
    assert garbled.status_code == 200


def test_the_same_question_again_is_answered_from_the_cache_until_a_write(client, world):
    """The second identical read runs no query of records; after a write the answer is
    computed again and shows it."""
    editor = bearer(token_for("editor", "bamberg"))
    url = "/api/v1/progress-updates?limit=500"
    first = client.get(url, headers=editor)
    again, reads = read_with_its_selects(client, url, editor)
    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len(reads) == 2, reads  # whose token it is, and the data version
    written = client.post(
        f"/api/v1/actions/{world['action'].id}/progress",
        headers=editor,
        json={"reported_on": date.today().isoformat(), "status": "on_track", "percent_complete": 7},
    )
    assert written.status_code == 201
    after = client.get(url, headers=editor).get_json()
    assert after["total"] == first.get_json()["total"] + 1


def test_a_long_answer_is_kept_too(demo_app):
    """An answer longer than what the cache keeps of one answer (500 records) is kept
    compressed, and served again whole without reading a record."""
    from tracker.api.conditional import KEEP_AT_MOST

    client = demo_app.test_client()
    viewer = bearer(token_for("viewer"))
    url = "/api/v1/actions?limit=500"
    first = client.get(url, headers=viewer)
    assert len(first.get_data()) > KEEP_AT_MOST  # what the test is about
    again, reads = read_with_its_selects(client, url, viewer)
    assert again.get_data() == first.get_data()
    assert len(reads) == 2, reads  # whose token it is, and the data version
