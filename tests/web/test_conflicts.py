"""A conflict keeps the person's work: the 409 page shows what they sent beside what the
record holds now, with times in their time zone, and applies theirs on the new version in one
step."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.factories import make_action, make_plan, make_user
from tests.helpers import form_fields, login, page_text, snapshot
from tracker.extensions import db
from tracker.models import Action, AuditEvent, User


@pytest.fixture
def two_people(app):
    action = make_action(make_plan("bamberg"))
    first, second = app.test_client(), app.test_client()
    make_user("editor", city="bamberg")
    make_user("lead")
    login(first, "editor-bamberg@example.org")
    login(second, "lead-all@example.org")
    return action, first, second


def edit(client, action):
    url = f"/actions/{action.id}/edit"
    return url, form_fields(client.get(url).get_data(as_text=True), url)


def test_the_409_page_shows_my_values_and_applies_them_on_the_new_version(two_people):
    action, first, second = two_people
    url, mine = edit(second, action)  # both open the form on the same version
    _url, theirs = edit(first, action)
    assert first.post(url, data={**theirs, "title": "Solar on all schools"}).status_code == 302

    before = snapshot()
    refused = second.post(url, data={**mine, "title": "PV on schools", "due_on": "2026-12-31"})
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    row = html.split('<th scope="row">title</th>', 1)[1].split("</tr>", 1)[0]
    assert "PV on schools" in row
    assert "Solar on all schools" in row
    assert "2026-12-31" in html
    assert snapshot() == before

    # One step: the apply form carries my values and the current version.
    apply = form_fields(html, url)
    db.session.expire_all()
    assert apply["version"] == str(db.session.get(Action, action.id).version)
    assert apply["title"] == "PV on schools"
    assert apply["due_on"] == "2026-12-31"
    assert second.post(url, data=apply).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Action, action.id)
    assert (saved.title, saved.due_on.isoformat()) == ("PV on schools", "2026-12-31")


def test_conflict_times_are_shown_in_the_persons_time_zone(two_people):
    action, first, second = two_people
    url, mine = edit(second, action)
    _url, theirs = edit(first, action)
    first.post(url, data={**theirs, "title": "Solar on all schools"})
    event = (
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.verb == "action.update")).first()
        or db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    )
    moment = event.created_at.replace(tzinfo=event.created_at.tzinfo or UTC)

    def shown_as(zone):
        from zoneinfo import ZoneInfo

        from babel.dates import format_datetime

        # As an English page writes a moment: 26 Nov 2026, 08:01 (and the zone's name).
        return format_datetime(moment.astimezone(ZoneInfo(zone)), "d MMM y, HH:mm", locale="en")

    page = page_text(second.post(url, data={**mine, "title": "Mine"}))
    assert shown_as("Europe/Berlin") in page  # the site's default
    lead = db.session.scalar(sa.select(User).where(User.email == "lead-all@example.org"))
    lead.time_zone = "America/New_York"
    db.session.commit()
    page = page_text(second.post(url, data={**mine, "title": "Mine"}))
    assert shown_as("America/New_York") in page
    assert isinstance(moment, datetime)


def test_a_person_sets_their_time_zone_and_a_bad_one_is_refused(client, app):
    user = make_user("viewer")
    login(client, user.email)
    fields = form_fields(client.get("/auth/password").get_data(as_text=True), "/auth/time-zone")
    assert fields["time_zone"] == ""  # the site's default
    before = snapshot()
    bad = client.post("/auth/time-zone", data={**fields, "time_zone": "Mars/Olympus_Mons"})
    assert bad.status_code == 400
    assert 'id="time_zone-error"' in bad.get_data(as_text=True)
    assert snapshot() == before
    good = client.post("/auth/time-zone", data={**fields, "time_zone": "Europe/Lisbon"})
    assert good.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).time_zone == "Europe/Lisbon"
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "user.time_zone"))
