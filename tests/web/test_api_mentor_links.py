"""The API's cities name each city's current mentors and mentees: exactly those of its current
mentorships (an ended one is gone, a second mentor is there), in code-point order on either
engine; and a page of cities reads a couple of rows per city from the database, however many
mentees its mentors have."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tests.factories import make_user
from tests.helpers import signed_in_client
from tests.web.test_scale import count_rows
from tracker.extensions import db
from tracker.models import City, Mentorship, Participation, Programme
from tracker.services import mentorships, tokens


def _bearer(role: str) -> dict[str, str]:
    user = make_user(role, email=f"links-{role}@example.org")
    token = tokens.issue_token(None, user, "links", actor_label="test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _stored_links() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Each city's current mentors and mentees, from the stored mentorships."""
    mentor_p, mentee_p = aliased(Participation), aliased(Participation)
    mentor_c, mentee_c = aliased(City), aliased(City)
    mentors: dict[str, list[str]] = {}
    mentees: dict[str, list[str]] = {}
    for mentor, mentee in db.session.execute(
        sa.select(mentor_c.slug, mentee_c.slug)
        .select_from(Mentorship)
        .join(mentor_p, Mentorship.mentor_id == mentor_p.id)
        .join(mentee_p, Mentorship.mentee_id == mentee_p.id)
        .join(mentor_c, mentor_p.city_id == mentor_c.id)
        .join(mentee_c, mentee_p.city_id == mentee_c.id)
        .where(Mentorship.ended_on.is_(None))
    ):
        mentees.setdefault(mentor, []).append(mentee)
        mentors.setdefault(mentee, []).append(mentor)
    return (
        {city: sorted(slugs) for city, slugs in mentors.items()},
        {city: sorted(slugs) for city, slugs in mentees.items()},
    )


def _mentor_pair(lead, programme: Programme, mentor: str, mentee: str) -> None:
    mentorships.create_mentorship(
        lead,
        programme,
        mentor=mentor,
        mentee=mentee,
        since_on=date(2025, 6, 1),
        focus=None,
        sector_id=None,
    )
    db.session.commit()


def test_each_city_lists_the_mentors_and_mentees_of_its_current_mentorships(demo_app):
    headers, client = _bearer("viewer"), demo_app.test_client()
    lead = make_user("lead", email="links-lead@example.org")
    programme = db.session.scalars(sa.select(Programme)).first()
    ended = db.session.scalars(
        sa.select(Mentorship).where(Mentorship.ended_on.is_(None)).order_by(Mentorship.id)
    ).first()
    ended.ended_on = date(2025, 1, 1)
    db.session.commit()
    # A mentee of Dortmund that gets a second mentor.
    second = db.session.scalars(
        sa.select(City.slug)
        .join(Participation, Participation.city_id == City.id)
        .where(Participation.role == "core", City.slug.not_in(_stored_links()[1]["dortmund"]))
        .order_by(City.slug)
    ).first()
    _mentor_pair(lead, programme, "dortmund", second)
    _mentor_pair(lead, programme, "aarhus", second)
    mentors, mentees = _stored_links()
    assert len(mentors[second]) >= 2

    listed = client.get("/api/v1/cities?limit=500", headers=headers).get_json()["items"]
    assert len(listed) == 73
    for city in listed:
        assert city["mentors"] == mentors.get(city["slug"], []), city["slug"]
        assert city["mentees"] == mentees.get(city["slug"], []), city["slug"]
    assert any(city["mentees"] for city in listed)
    assert any(len(city["mentors"]) >= 2 for city in listed)


def test_a_page_of_cities_reads_a_few_rows_per_city_whatever_its_mentors_mentees(demo_app):
    headers, client = _bearer("viewer"), demo_app.test_client()
    lead = make_user("lead", email="links-lead@example.org")
    programme = db.session.scalars(sa.select(Programme)).first()
    first = client.get("/api/v1/cities?role=mentor&limit=2", headers=headers).get_json()
    mentor = first["items"][0]["slug"]
    for city in db.session.scalars(
        sa.select(City.slug)
        .join(Participation, Participation.city_id == City.id)
        .where(Participation.role == "core", City.slug.not_in(first["items"][0]["mentees"]))
        .order_by(City.slug)
        .limit(30)
    ).all():
        _mentor_pair(lead, programme, mentor, city)

    page = client.get("/api/v1/cities?role=mentor&limit=2", headers=headers).get_json()
    assert len(page["items"][0]["mentees"]) >= 30
    # The two participations (with their cities), each city's two lines of links, the
    # reader's token and account, and the total.
    rows = count_rows(signed_in_client(demo_app, "viewer"), "/api/v1/cities?role=mentor&limit=2")
    assert rows <= 2 + 2 * 2 + 4, rows
