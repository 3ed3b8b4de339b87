"""The API's list of actions says how many it holds without counting every action: with no
filter or a status alone, the total comes from the totals the database keeps (action_totals),
and it is always the number of records the pages walk."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from tests.web.test_api import bearer, token_for
from tests.web.test_api_keyset import walk
from tracker.extensions import db
from tracker.models import Action, Plan

KEPT = ["/api/v1/actions", "/api/v1/actions?status=delayed", "/api/v1/actions?status=on_track"]


def statements_of(client, url: str, headers) -> tuple[dict, list[str]]:
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.lower().split()))

    engine = db.engines[None].engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        response = client.get(url, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert response.status_code == 200, response.get_json()
    return response.get_json(), statements


@pytest.mark.parametrize("url", KEPT)
def test_the_total_is_the_records_listed_and_no_action_is_counted(demo_app, url):
    client, headers = demo_app.test_client(), bearer(token_for("viewer"))
    items, totals = walk(client, headers, url, 7, "offset")
    assert items  # the seed has actions of each of these
    assert set(totals) == {len(items)}
    body, statements = statements_of(
        client, url + ("&" if "?" in url else "?") + "limit=3", headers
    )
    assert body["total"] == len(items)
    assert any("action_totals" in s for s in statements)
    assert not [s for s in statements if "count(" in s], statements


def test_the_total_moves_with_a_new_action_and_other_filters_still_count(demo_app):
    client, headers = demo_app.test_client(), bearer(token_for("viewer"))
    before = client.get("/api/v1/actions?limit=1", headers=headers).get_json()["total"]
    assert before == db.session.scalar(sa.select(sa.func.count()).select_from(Action))
    plan = db.session.scalars(sa.select(Plan).order_by(Plan.id)).first()
    db.session.add(Action(plan_id=plan.id, slug="counted-check", title="Counted", position=99))
    db.session.commit()
    assert client.get("/api/v1/actions?limit=1", headers=headers).get_json()["total"] == before + 1
    # A filter the kept totals cannot answer is counted from the list itself, and agrees.
    url = "/api/v1/actions?sector=energy-renewables"
    items, totals = walk(client, headers, url, 7, "offset")
    assert items
    assert set(totals) == {len(items)}
    _body, statements = statements_of(client, url + "&limit=2", headers)
    assert [s for s in statements if "count(" in s]
