"""The database itself refuses invalid data, whatever code writes it."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.models.city import City, Mentorship, Participation
from tracker.models.plan import Action, Plan
from tracker.models.programme import Programme
from tracker.models.progress import ProgressUpdate
from tracker.models.user import User


def by_slug(model, slug):
    return db.session.scalar(sa.select(model).where(model.slug == slug))


def participation(city_slug: str) -> Participation:
    return db.session.scalars(
        sa.select(Participation).join(City).where(City.slug == city_slug)
    ).one()


def refused(*objects: object) -> None:
    db.session.add_all(objects)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def an_action() -> Action:
    plan = db.session.scalars(sa.select(Plan).where(Plan.slug == "klima-sofortprogramm")).one()
    return plan.actions[0]


def test_percent_over_100_is_refused_on_updates_and_actions(app):
    action = an_action()
    refused(ProgressUpdate(action_id=action.id, reported_on=date(2024, 1, 1), percent_complete=101))
    action = an_action()
    action.percent_complete = 101
    refused(action)


def test_negative_percent_is_refused(app):
    refused(
        ProgressUpdate(action_id=an_action().id, reported_on=date(2024, 1, 1), percent_complete=-1)
    )


def test_a_valid_update_is_stored(app):
    action = an_action()
    db.session.add(
        ProgressUpdate(action_id=action.id, reported_on=date(2024, 1, 1), percent_complete=100)
    )
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate)) == 1


def test_mentorship_to_itself_is_refused(app):
    dortmund = participation("dortmund")
    refused(
        Mentorship(
            programme_id=dortmund.programme_id,
            mentor_id=dortmund.id,
            mentee_id=dortmund.id,
            since_on=date(2024, 1, 1),
        )
    )


def test_mentor_must_have_the_mentor_role(app):
    bamberg, heidelberg = participation("bamberg"), participation("heidelberg")
    refused(
        Mentorship(
            programme_id=bamberg.programme_id,
            mentor_id=bamberg.id,
            mentee_id=heidelberg.id,
            since_on=date(2024, 1, 1),
        )
    )


def test_mentorship_ends_must_be_in_the_same_programme(app):
    other = Programme(
        slug="icc-2020-22",
        name="ICC 2020-22",
        starts_on=date(2020, 1, 1),
        ends_on=date(2022, 12, 31),
        source_url="https://example.org",
    )
    db.session.add(other)
    db.session.flush()
    bamberg_city = by_slug(City, "bamberg")
    old = Participation(
        programme_id=other.id,
        city_id=bamberg_city.id,
        role="core",
        joined_on=date(2020, 7, 1),
        source_url="https://example.org",
    )
    db.session.add(old)
    db.session.flush()
    dortmund = participation("dortmund")
    refused(
        Mentorship(
            programme_id=dortmund.programme_id,
            mentor_id=dortmund.id,
            mentee_id=old.id,
            since_on=date(2024, 1, 1),
        )
    )


def test_duplicate_mentorship_is_refused(app):
    dortmund, bamberg = participation("dortmund"), participation("bamberg")
    pair = {
        "programme_id": dortmund.programme_id,
        "mentor_id": dortmund.id,
        "mentee_id": bamberg.id,
        "since_on": date(2024, 1, 1),
    }
    db.session.add(Mentorship(**pair))
    db.session.flush()
    refused(Mentorship(**pair))


def test_duplicate_participation_is_refused(app):
    dortmund = participation("dortmund")
    refused(
        Participation(
            programme_id=dortmund.programme_id,
            city_id=dortmund.city_id,
            role="core",
            joined_on=date(2024, 1, 1),
            source_url="https://example.org",
        )
    )


def test_action_without_a_plan_is_refused(app):
    refused(Action(slug="orphan", title="An action of no plan"))


def test_unknown_status_and_role_values_are_refused(app):
    refused(
        ProgressUpdate(action_id=an_action().id, reported_on=date(2024, 1, 1), status="finished")
    )
    dortmund = participation("dortmund")
    dortmund.role = "sponsor"
    refused(dortmund)


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(91, 0), (-91, 0), (0, 181), (0, -181), (10, None)]
)
def test_coordinates_out_of_range_or_unpaired_are_refused(app, latitude, longitude):
    refused(
        City(
            slug="nowhere",
            name="Nowhere",
            country="DE",
            latitude=latitude,
            longitude=longitude,
            source_url="https://example.org",
        )
    )


def test_country_must_be_a_two_letter_upper_case_code(app):
    refused(City(slug="x", name="X", country="de", source_url="https://example.org"))


def test_editor_needs_a_city_and_others_refuse_one(app):
    dortmund = by_slug(City, "dortmund")
    refused(User(email="e@example.org", password_hash="x", role="editor"))
    refused(User(email="v@example.org", password_hash="x", role="viewer", city_id=dortmund.id))


def test_a_progress_update_belongs_to_exactly_one_subject(app):
    refused(ProgressUpdate(reported_on=date(2024, 1, 1)))


def test_lgd_status_only_on_local_green_deals(app):
    plan = db.session.scalars(sa.select(Plan).where(Plan.slug == "klima-sofortprogramm")).one()
    plan.status = "signed"
    refused(plan)
