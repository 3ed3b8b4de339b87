"""At ten times the seed's cities (with their actions, updates, steps, indicators and mentors,
from the scale-data generator), every dashboard runs the queries it ran at the seed size, reads
no more rows than it did with a hundred cities more than the seed (rendered afresh, as after a
write: the database filters, sorts, counts and pages, and only what the page shows comes back),
and none of them sends more than 200 kB of HTML: long lists come a page at a time."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from bench.generate import add_cities
from tests.helpers import signed_in_client
from tests.web.test_query_counts import count_queries
from tracker.extensions import db
from tracker.models import City

# The queries a page runs do not depend on the engine (no read path asks which one it is), and
# growing the data ten times is slow: once, in the SQLite pass.
pytestmark = pytest.mark.once

PAGES = [
    "/",
    "/cohort",
    "/cohort?sort=progress&page=2",
    "/cohort?late=1&sort=lateness",
    "/mentorships",
    "/mentorships?page=2",
    "/milestones",
    "/milestones?state=overdue&page=2",
    "/milestones?moved=1&sort=slip",
    "/milestones?step=deal-signed",
    "/cities",
    "/cities?page=2",
    "/cities/dortmund",
    "/cities/bamberg",
    "/cities/dortmund/climate",
    "/cities/gen-100",
    "/actions?attention=stale",
    "/actions?attention=risky&page=2",
    "/public/",
    "/public/cohort",
    "/public/cities/dortmund",
    "/public/cities/gen-100",
]
MOST_HTML = 200 * 1024
# A page shows at most a hundred rows of each of its lists, with their steps, figures and
# links: it reads a few hundred rows from the database whatever the number of cities (at ten
# times the seed, reading every city's rows, the pages read a thousand and more).
MOST_ROWS = 700


def count_rows(client, url: str) -> int:
    """The rows the database returns to Python while `url` is rendered afresh."""
    rows = [0]

    def counted(state):
        frozen = state.invoke_statement().freeze()
        rows[0] += len(frozen().all())
        return frozen()

    event.listen(Session, "do_orm_execute", counted)
    try:
        response = client.get(url)
    finally:
        event.remove(Session, "do_orm_execute", counted)
    assert response.status_code == 200, url
    return rows[0]


# Pages about one city: what they read is found through indexes, whatever the programme's size.
ONE_CITY = [
    "/cities/dortmund",
    "/cities/dortmund/climate",
    "/cities/gen-100",
    "/public/cities/dortmund",
    "/public/cities/gen-100",
]
# The tables that grow with the programme (a scan of a lookup table of a few rows is cheaper
# than its index, and SQLite's statistics rightly choose it).
GROWING = (
    "cities",
    "participations",
    "mentorships",
    "plans",
    "actions",
    "milestones",
    "progress_updates",
    "indicators",
    "indicator_values",
)


def scanned_tables(client, url: str) -> set[str]:
    """The growing tables some query of `url` (rendered afresh) reads whole, as SQLite plans it
    with the statistics of the data it holds."""
    statements = []

    def seen(_conn, _cursor, statement, parameters, _context, executemany):
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    engine = db.engines[None].engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    scanned = set()
    connection = db.session.connection()
    for statement, parameters in statements:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        for step in plan:
            words = step[3].split()
            if words[0] == "SCAN" and words[1] in GROWING:
                scanned.add(f"{words[1]} in {' '.join(statement.split())[:120]}")
    return scanned


def test_ten_times_the_seed_keeps_every_dashboard_constant_in_queries_and_small(demo_app):
    demo_app.config["PAGE_CACHE"] = False  # count the work of a page, not of the cache
    demo_app.config["PUBLIC_PAGES"] = True
    from tracker import cache

    cache.init_app(demo_app)
    try:
        client = signed_in_client(demo_app, "lead", email="scale@example.org")
        seed = db.session.scalar(sa.select(sa.func.count()).select_from(City)) or 0
        add_cities(101, actions_per_city=3, updates_per_action=4)
        small = {url: count_queries(client, url) for url in PAGES}
        small_rows = {url: count_rows(client, url) for url in PAGES}
        add_cities(seed * 10 - seed - 101, actions_per_city=3, updates_per_action=4)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(City)) == seed * 10
        for url in PAGES:
            rows = count_rows(client, url)
            assert rows <= MOST_ROWS, (
                f"{url}: {rows} rows (with {seed + 101} cities: {small_rows[url]})"
            )
            assert count_queries(client, url) == small[url], url
            size = len(client.get(url).data)
            assert size <= MOST_HTML, f"{url}: {size / 1024:.0f} kB"
        # A city's page reads its own rows through indexes (it read every milestone once).
        if db.engine.dialect.name == "sqlite":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
            for url in ONE_CITY:
                assert scanned_tables(client, url) == set(), url
        # Page 4 of the cities says where it stands and links to its neighbours, filters kept.
        html = client.get("/cities?role=core&page=4").get_data(as_text=True)
        assert "301 to 400 of" in html
        assert 'rel="prev" href="/cities?role=core&amp;page=3"' in html
        assert 'rel="next" href="/cities?role=core&amp;page=5"' in html
    finally:
        demo_app.config["PAGE_CACHE"] = True
        demo_app.config["PUBLIC_PAGES"] = False
        cache.init_app(demo_app)
