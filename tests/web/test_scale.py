"""At ten times the seed's cities (with their actions, updates, steps, indicators and mentors,
from the scale-data generator), every dashboard runs the queries it ran at the seed size, and
none of them sends more than 200 kB of HTML: long lists come a page at a time."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

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
        add_cities(seed * 10 - seed - 101, actions_per_city=3, updates_per_action=4)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(City)) == seed * 10
        for url in PAGES:
            assert count_queries(client, url) == small[url], url
            size = len(client.get(url).data)
            assert size <= MOST_HTML, f"{url}: {size / 1024:.0f} kB"
        # Page 4 of the cities says where it stands and links to its neighbours, filters kept.
        html = client.get("/cities?role=core&page=4").get_data(as_text=True)
        assert "301 to 400 of" in html
        assert 'rel="prev" href="/cities?role=core&amp;page=3"' in html
        assert 'rel="next" href="/cities?role=core&amp;page=5"' in html
    finally:
        demo_app.config["PAGE_CACHE"] = True
        demo_app.config["PUBLIC_PAGES"] = False
        cache.init_app(demo_app)
