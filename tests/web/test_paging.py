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


@pytest.mark.once  # grows the data by a thousand cities: once, in the SQLite pass
def test_a_mentor_with_many_mentees_lists_them_a_page_at_a_time(demo_app):
    """A mentor of over a hundred cities (as Dortmund is at scale) shows 100 on its page, says
    which, and links to the rest; a page past the last is a 404, a bad one a 400."""
    import re

    import sqlalchemy as sa

    from bench.generate import add_cities
    from tests.helpers import signed_in_client
    from tracker.extensions import db
    from tracker.models import City, Mentorship, Participation

    add_cities(1200, actions_per_city=1, updates_per_action=1)
    busiest, count = db.session.execute(
        sa.select(City.slug, sa.func.count(Mentorship.id))
        .join(Participation, Participation.city_id == City.id)
        .join(Mentorship, Mentorship.mentor_id == Participation.id)
        .group_by(City.slug)
        .order_by(sa.func.count(Mentorship.id).desc())
        .limit(1)
    ).one()
    assert count > 100
    viewer = signed_in_client(demo_app, "viewer", email="pages@example.org")

    def mentees(page: int) -> list[str]:
        html = viewer.get(f"/cities/{busiest}?page={page}").get_data(as_text=True)
        listed = html.split("<p>Mentees: ", 1)[1].split("</p>", 1)[0]
        return re.findall(r'href="/cities/([^"]+)"', listed)

    first = viewer.get(f"/cities/{busiest}")
    assert re.search(rf"1 to 100 of {count:,}|1 to 100 of {count}", page_text(first))
    assert 'rel="next"' in first.get_data(as_text=True)
    shown = mentees(1)
    assert len(shown) == 100
    last = -(-count // 100)
    rest = [slug for page in range(2, last + 1) for slug in mentees(page)]
    assert len(shown) + len(rest) == count
    assert not set(shown) & set(rest)
    assert viewer.get(f"/cities/{busiest}?page={last + 1}").status_code == 404
    assert viewer.get(f"/cities/{busiest}?page=two").status_code == 400

    # The public page pages the same way, over the pairs it may show (no demo pairs).
    demo_app.config["PUBLIC_PAGES"] = True
    mentor_ids = sa.select(Participation.id).join(City).where(City.slug == busiest)
    pairs = db.session.scalars(
        sa.select(Mentorship.id).where(Mentorship.mentor_id.in_(mentor_ids)).order_by(Mentorship.id)
    ).all()
    shown_pairs = pairs[:120]  # published with a source; the rest stay demo
    db.session.execute(
        sa.update(Mentorship)
        .where(Mentorship.id.in_(shown_pairs))
        .values(is_demo=False, source_url="https://example.org/pairs")
    )
    db.session.execute(
        sa.update(Mentorship).where(Mentorship.id.in_(pairs[120:])).values(is_demo=True)
    )
    db.session.commit()
    visitor = demo_app.test_client()

    def public_mentees(page: int) -> list[str]:
        html = visitor.get(f"/public/cities/{busiest}?page={page}").get_data(as_text=True)
        listed = html.split("<p>Mentees: ", 1)[1].split("</p>", 1)[0]
        return re.findall(r'href="/public/cities/([^"?]+)', listed)

    first = visitor.get(f"/public/cities/{busiest}").get_data(as_text=True)
    assert "1 to 100 of 120" in first
    both = public_mentees(1) + public_mentees(2)
    assert len(both) == len(set(both)) == 120
    assert visitor.get(f"/public/cities/{busiest}?page=3").status_code == 404
    assert visitor.get(f"/public/cities/{busiest}?page=0").status_code == 400
