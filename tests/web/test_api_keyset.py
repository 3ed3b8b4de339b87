"""The API's lists page by keyset as well as by offset: `after` (the `next_after` of the page
before) starts a page after a record in the list's own order, costs what the first page does
(no rows skipped, no count) and walks the same records, in the same order, as the offset pages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from tests.web.test_api import bearer, token_for
from tracker.api.openapi import document
from tracker.extensions import db
from tracker.models import Indicator, IndicatorValue

LISTS = [
    "/api/v1/programmes",
    "/api/v1/phases",
    "/api/v1/cities",
    "/api/v1/cities?role=core&country=DE",
    "/api/v1/mentorships",
    "/api/v1/plans",
    "/api/v1/partners",
    "/api/v1/actions",
    "/api/v1/actions?sector=energy-renewables",
    "/api/v1/milestones",
    "/api/v1/milestones?status=overdue",
    "/api/v1/progress-updates",
    "/api/v1/indicators",
]


def joined(url: str, **params: object) -> str:
    extra = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{url}{'&' if '?' in url else '?'}{extra}"


def walk(client, headers, url: str, size: int, by: str) -> tuple[list, list]:
    """Every item of the list a page of `size` at a time, by offset or by after; each page's
    total."""
    items, totals, after, offset = [], [], None, 0
    while True:
        params = {"limit": size, "offset": offset} if by == "offset" else {"limit": size}
        if by == "after" and after is not None:
            params["after"] = after
        response = client.get(joined(url, **params), headers=headers)
        assert response.status_code == 200, (url, response.get_json())
        body = response.get_json()
        items += body["items"]
        totals.append(body["total"])
        if by == "offset":
            offset += size
            if len(body["items"]) < size:
                return items, totals
        else:
            after = body["next_after"]
            if after is None:
                return items, totals


@pytest.mark.parametrize("url", LISTS)
def test_walking_by_after_gives_the_offset_pages_records_in_their_order(demo_app, url):
    client, headers = demo_app.test_client(), bearer(token_for("viewer"))
    whole = client.get(joined(url, limit=500), headers=headers).get_json()
    assert whole["items"], url  # something to walk (the sector filter once named none)
    size = max(2, -(-len(whole["items"]) // 6))  # about six pages
    by_offset, totals = walk(client, headers, url, size, "offset")
    by_after, after_totals = walk(client, headers, url, size, "after")
    assert by_after == by_offset
    assert len(by_after) == whole["total"] == totals[0]
    assert after_totals[0] == whole["total"]  # the first page is counted
    assert set(after_totals[1:]) <= {None}  # pages read with after are not


def test_an_indicators_values_walk_the_same_by_after(demo_app):
    client, headers = demo_app.test_client(), bearer(token_for("viewer"))
    indicator_id = db.session.scalar(
        sa.select(Indicator.id)
        .join(IndicatorValue)
        .group_by(Indicator.id)
        .order_by(sa.func.count().desc(), Indicator.id)
        .limit(1)
    )
    url = f"/api/v1/indicators/{indicator_id}/values"
    by_offset, _totals = walk(client, headers, url, 2, "offset")
    assert len(by_offset) >= 3
    assert walk(client, headers, url, 2, "after")[0] == by_offset


def test_a_page_read_with_after_runs_no_count_and_skips_no_rows(demo_app):
    """The structural promise: whatever page of the list, no count over the list and no
    OFFSET in the page's query."""
    client, headers = demo_app.test_client(), bearer(token_for("viewer"))
    first = client.get("/api/v1/progress-updates?limit=100", headers=headers).get_json()
    statements: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, *_args):
        statements.append((statement.lower(), parameters))

    engine = db.engines[None].engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        page = client.get(
            f"/api/v1/progress-updates?limit=100&after={first['next_after']}", headers=headers
        )
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert page.status_code == 200
    assert page.get_json()["items"]
    assert not [s for s, _p in statements if "count(" in s]
    # The page starts after the record (a key comparison the index answers).
    (listed,) = [(s, p) for s, p in statements if "> (" in s and "limit" in s]
    if " offset " in listed[0]:  # SQLite always writes one: it skips nothing
        assert list(listed[1])[-1] == 0


def test_after_a_record_the_filters_do_not_keep_is_an_empty_last_page(demo_app):
    client, headers = demo_app.test_client(), bearer(token_for("viewer"))
    for url in ("/api/v1/actions?after=2147483647", "/api/v1/milestones?after=2147483647"):
        body = client.get(url, headers=headers).get_json()
        assert body["items"] == []
        assert body["next_after"] is None


def test_offset_counts_from_after(demo_app):
    client, headers = demo_app.test_client(), bearer(token_for("viewer"))
    whole = client.get("/api/v1/actions?limit=20", headers=headers).get_json()["items"]
    first = client.get("/api/v1/actions?limit=5", headers=headers).get_json()
    later = client.get(
        f"/api/v1/actions?limit=5&offset=5&after={first['next_after']}", headers=headers
    ).get_json()
    assert later["items"] == whole[10:15]


@pytest.mark.parametrize("bad", ["0", "-1", "x", "1.5", "2147483648", ""])
@pytest.mark.parametrize("url", ["/api/v1/actions", "/api/v1/milestones", "/api/v1/review"])
def test_a_bad_after_is_refused_clearly(demo_app, url, bad):
    client, headers = demo_app.test_client(), bearer(token_for("lead"))
    response = client.get(f"{url}?after={bad}", headers=headers)
    assert response.status_code == 400
    assert "after" in response.get_data(as_text=True)


def test_the_document_describes_after_and_next_after():
    doc = document()
    for path in ("/api/v1/actions", "/api/v1/milestones", "/api/v1/cities", "/api/v1/review"):
        params = {p["name"]: p for p in doc["paths"][path]["get"]["parameters"]}
        assert params["after"]["schema"]["minimum"] == 1
        assert "next_after" in params["after"]["description"]
    page = next(s for name, s in doc["components"]["schemas"].items() if name.startswith("Page"))
    assert "next_after" in page["properties"]
