"""Long dashboard lists a page at a time: a bad page number is a clear 400, a page past the
last a 404, and a city is typed by its name or address name."""

from __future__ import annotations

import pytest

from tests.helpers import page_text, snapshot

PAGED = ["/cohort", "/cities", "/mentorships", "/milestones"]


@pytest.mark.parametrize("url", PAGED)
@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5", "", "99999999999", "%EF%BC%91"])
def test_a_bad_page_number_is_a_clear_400(viewer, url, page):
    before = snapshot()
    response = viewer.get(f"{url}?page={page}")
    assert response.status_code == 400
    assert "The page must be a whole number from 1." in page_text(response)
    assert snapshot() == before


@pytest.mark.parametrize("url", PAGED)
def test_a_page_past_the_last_is_not_found_and_the_first_is_there(viewer, url):
    assert viewer.get(f"{url}?page=1").status_code == 200
    response = viewer.get(f"{url}?page=40")
    assert response.status_code == 404
    assert "There is no page 40" in page_text(response)


def test_a_short_list_has_no_pager(viewer):
    # 53 core cities fit on one page: no links to others.
    html = viewer.get("/cohort").get_data(as_text=True)
    assert 'rel="next"' not in html
    assert 'class="pager"' not in html


def test_the_milestones_city_is_typed_by_name_or_address_name(viewer):
    def rows(query: str) -> str:
        html = viewer.get(f"/milestones?city={query}").get_data(as_text=True)
        listed = html.split('id="milestone-list"', 1)[1]
        return listed.split("<tbody>", 1)[1].split("</tbody>", 1)[0]

    by_slug = rows("bamberg")
    assert '<a href="/cities/bamberg">Bamberg</a>' in by_slug
    assert "Dortmund" not in by_slug
    assert rows("Bamberg") == by_slug
    assert rows("BAMBERG") == by_slug
    response = viewer.get("/milestones?city=Atlantis")
    assert response.status_code == 400
    assert "No city is called Atlantis." in page_text(response)
