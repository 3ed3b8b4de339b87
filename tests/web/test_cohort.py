"""The cohort answers "which core cities are late on their Local Green Deal?" in one look:
filtered to the late ones, sorted by lateness, counted above the table."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.helpers import page_text
from tracker.extensions import db
from tracker.models import Programme
from tracker.queries import cohort


def expected_rows():
    programme = db.session.query(Programme).one()
    return cohort.cohort(programme, date.today())


def listed_cities(html: str) -> list[str]:
    """The cities of the table, in its order (none when the page says none matches)."""
    if '<table class="data matrix">' not in html:
        assert "No core city matches these filters." in html
        return []
    body = html.split('<table class="data matrix">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row"><a href="/cities/([^"]+)">', body)


def test_late_lists_exactly_the_cities_with_a_late_step_and_counts_them(viewer):
    rows = expected_rows()
    late = {r.slug for r in rows if "late" in r.states}
    assert 0 < len(late) < len(rows)  # the demo data has both
    response = viewer.get("/cohort?late=1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert set(listed_cities(html)) == late
    text = page_text(response)
    assert f"{len(late)} of {len(rows)} cities have a late step" in text
    assert f"These filters keep {len(late)} of {len(rows)}." in text
    # Unfiltered, the same count stands above every city.
    everyone = viewer.get("/cohort")
    assert f"{len(late)} of {len(rows)} cities have a late step" in page_text(everyone)
    assert len(listed_cities(everyone.get_data(as_text=True))) == len(rows)


def test_late_zero_is_no_filter(viewer):
    rows = expected_rows()
    html = viewer.get("/cohort?late=0").get_data(as_text=True)
    assert len(listed_cities(html)) == len(rows)


def test_lateness_sorts_by_late_steps_then_the_longest_overdue(viewer):
    today = date.today()
    html = viewer.get("/cohort?late=1&sort=lateness").get_data(as_text=True)
    order = listed_cities(html)
    rows = {r.slug: r for r in expected_rows()}
    keys = [(-rows[s].late, -rows[s].overdue_days, rows[s].name.lower()) for s in order]
    assert keys == sorted(keys)
    # The first has the most late steps; ties are broken by the oldest late due date.
    assert rows[order[0]].late == max(r.late for r in rows.values())
    assert len({rows[s].late for s in order}) > 1
    assert all(rows[s].overdue_days > 0 for s in order)
    assert all(rows[s].overdue_days <= (today - date(2023, 1, 1)).days for s in order)


# The orders the page promises, said independently of the query that sorts in the database.
ORDERS = {
    "name": lambda r: r.name.lower(),
    "country": lambda r: (r.country, r.name.lower()),
    "mentor": lambda r: (r.mentors is None, r.mentors or "", r.name.lower()),
    "progress": lambda r: (
        -r.done,
        -(r.progress if r.progress is not None else -1),
        r.name.lower(),
    ),
    "lateness": lambda r: (-r.late, -r.overdue_days, r.name.lower()),
}


@pytest.mark.parametrize("sort", cohort.SORTS)
def test_every_sort_is_the_order_it_promises(app, sort):
    programme = db.session.query(Programme).one()
    rows, counts = cohort.listing(programme, date.today(), cohort.CohortFilter(sort=sort))
    assert counts.shown == counts.cities == len(rows) > 10
    keys = [ORDERS[sort](r) for r in rows]
    assert keys == sorted(keys)
    # A page is the same slice of the same order.
    window, _counts = cohort.listing(
        programme, date.today(), cohort.CohortFilter(sort=sort), window=(5, 5)
    )
    assert [r.slug for r in window] == [r.slug for r in rows[5:10]]


@pytest.mark.parametrize("state", ["done", "on_time", "late", "not_started"])
def test_state_keeps_the_cities_with_a_step_in_that_state(viewer, state):
    wanted = {r.slug for r in expected_rows() if state in r.states}
    html = viewer.get(f"/cohort?state={state}").get_data(as_text=True)
    assert set(listed_cities(html)) == wanted


def test_country_and_mentor_filters(viewer):
    rows = expected_rows()
    country = rows[0].country
    html = viewer.get(f"/cohort?country={country}").get_data(as_text=True)
    assert set(listed_cities(html)) == {r.slug for r in rows if r.country == country}
    mentor = next(iter(next(r for r in rows if r.mentor_slugs).mentor_slugs))
    html = viewer.get(f"/cohort?mentor={mentor}").get_data(as_text=True)
    mentored = {r.slug for r in rows if mentor in r.mentor_slugs}
    assert mentored
    assert set(listed_cities(html)) == mentored


def test_progress_is_explained_and_kept_apart_from_the_steps(viewer):
    response = viewer.get("/cohort")
    text = page_text(response)
    assert "Action progress is the average of the percent complete" in text
    header = response.get_data(as_text=True).split("<thead>", 1)[1].split("</thead>", 1)[0]
    columns = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', header)
    # The steps sit together; progress comes after them, not among them.
    assert "Action progress" in columns[-1]
    assert "Implementation under way" in columns[-2]


def test_csv_follows_the_filters(viewer):
    rows = expected_rows()
    late = [r for r in rows if r.late]
    csv = viewer.get("/cohort?late=1&sort=lateness&format=csv&table=cohort")
    assert csv.status_code == 200
    lines = csv.get_data(as_text=True).strip().splitlines()
    assert len(lines) == len(late) + 1
    assert "late steps" in lines[0]


@pytest.mark.parametrize("facts_only", [False, True])
def test_the_counts_above_an_unfiltered_table_are_its_rows(viewer, facts_only):
    """Unfiltered (on PostgreSQL counted from the overdue steps alone), the counts equal what
    the rows say."""
    from tracker.queries import Shown

    programme = db.session.query(Programme).one()
    shown = Shown(facts_only=facts_only, approved=facts_only)
    rows, counts = cohort.listing(programme, date.today(), shown=shown)
    late = sum(1 for r in rows if r.late)
    every = sum(1 for r in rows if r.late == len(cohort.LGD_STEPS))
    assert counts == cohort.CohortCounts(len(rows), late, every, len(rows))
    # A filter that keeps every city counts the same by the general path.
    _rows, general = cohort.listing(
        programme, date.today(), cohort.CohortFilter(country=None, state="not_started"), shown
    )
    assert (general.cities, general.late, general.all_late) == (len(rows), late, every)


FILTERS = [
    cohort.CohortFilter(late=True),
    cohort.CohortFilter(state="late"),
    cohort.CohortFilter(state="done", country="DE"),
    cohort.CohortFilter(late=True, country="IT"),
    cohort.CohortFilter(state="on_time"),
    cohort.CohortFilter(state="not_started", late=True),
    cohort.CohortFilter(mentor="dortmund"),
    cohort.CohortFilter(mentor="dortmund", state="late"),
    cohort.CohortFilter(country="ZZ"),
    cohort.CohortFilter(state="not_started"),
]


@pytest.mark.parametrize("facts_only", [False, True])
def test_the_counts_above_a_filtered_table_are_its_rows_and_the_programmes(demo_app, facts_only):
    """Whatever the filters, the table's count is its rows, and the counts of late cities are
    every core city's, as the rows of the unfiltered table say."""
    from tracker.queries import Shown

    programme = db.session.query(Programme).one()
    shown = Shown(facts_only=facts_only, approved=facts_only)
    everyone = cohort.listing(programme, date.today(), shown=shown)[0]
    late = sum(1 for r in everyone if r.late)
    every = sum(1 for r in everyone if r.late == len(cohort.LGD_STEPS))
    sizes = set()
    for filters in FILTERS:
        rows, counts = cohort.listing(programme, date.today(), filters, shown)
        assert counts == cohort.CohortCounts(len(everyone), late, every, len(rows)), filters
        sizes.add(len(rows))
    # The filters keep different cities (the facts alone have no steps: none or every city).
    assert len(sizes) >= (2 if facts_only else 4)
