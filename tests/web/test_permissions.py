"""The permission matrix: every write route x every role (plus signed out and an editor of
another city). Refusals are 403 (signed out: sent to sign-in) and leave the database exactly
as it was; every allowed write leaves an audit event with its before and after values.
CSRF protection is on throughout, as in production."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from tests.factories import (
    PASSWORD,
    log_report,
    make_action,
    make_indicator,
    make_milestone,
    make_plan,
    make_user,
)
from tests.helpers import csrf_token, snapshot
from tracker.extensions import db
from tracker.models.audit import AuditEvent
from tracker.models.city import City, Mentorship, Participation
from tracker.models.plan import Partner
from tracker.models.programme import Milestone
from tracker.models.user import ApiToken, User
from tracker.services import tokens

CITY = {"editor", "lead", "admin"}
PROGRAMME = {"lead", "admin"}
ADMIN = {"admin"}
ROLES = ["signed_out", "viewer", "editor_other_city", "editor", "lead", "admin"]


@dataclass
class World:
    plan: Any
    action: Any
    indicator: Any
    partner: Any
    plan_milestone: Any
    programme_milestone: Any
    other_user: Any
    mentorship: Any
    token: Any
    update: Any


@pytest.fixture
def world(app) -> World:
    plan = make_plan("bamberg", programme=False)
    action = make_action(plan)
    indicator = make_indicator(action)
    partner = Partner(plan_id=plan.id, name="Bamberg Energy Co-op", kind="sme")
    db.session.add(partner)
    db.session.commit()
    programme_milestone = db.session.scalars(
        sa.select(Milestone).where(Milestone.slug == "icc-2023-25/lgd-target")
    ).one()
    other = make_user("viewer", email="someone@example.org")
    mentorship = Mentorship(
        programme_id=programme_milestone.programme_id,
        mentor_id=participation_id("dortmund"),
        mentee_id=participation_id("bamberg"),
        since_on=date(2024, 1, 1),
    )
    db.session.add(mentorship)
    db.session.commit()
    tokens.issue_token(None, other, "existing", actor_label="test")
    db.session.commit()
    token = db.session.scalar(sa.select(ApiToken))
    update = log_report(action, 20)
    return World(
        plan,
        action,
        indicator,
        partner,
        make_milestone(plan),
        programme_milestone,
        other,
        mentorship,
        token,
        update,
    )


def done(milestone):
    milestone.completed_on = date(2024, 1, 15)
    db.session.commit()
    return milestone


def participation_id(slug: str) -> int:
    return db.session.scalars(
        sa.select(Participation.id).join(Participation.city).where(City.slug == slug)
    ).one()


TODAY = date.today().isoformat()
ROUTES: dict[str, tuple[set[str], Any]] = {
    "log progress": (
        CITY,
        lambda w: (
            f"/actions/{w.action.id}/progress",
            {
                "reported_on": TODAY,
                "status": "on_track",
                "percent_complete": "40",
                "note": "ok",
                "indicator_id": "None",
            },
        ),
    ),
    "correct an update": (
        CITY,
        lambda w: (
            f"/actions/updates/{w.update.id}/correct",
            {
                "status": "on_track",
                "percent_complete": "25",
                "note": "The May report missed a finished roof",
                "indicator_id": "None",
            },
        ),
    ),
    "edit action": (
        CITY,
        lambda w: (
            f"/actions/{w.action.id}/edit",
            {
                "title": "Solar on all schools",
                "sector_id": "None",
                "theme_id": "None",
                "version": w.action.version,
            },
        ),
    ),
    "add indicator": (
        CITY,
        lambda w: (
            f"/actions/{w.action.id}/indicators/new",
            {"name": "Roofs", "unit": "roofs", "target_value": "12"},
        ),
    ),
    "edit indicator": (
        CITY,
        lambda w: (
            f"/actions/indicators/{w.indicator.id}/edit",
            {
                "name": "PV capacity",
                "unit": "kWp",
                "target_value": "500",
                "version": w.indicator.version,
            },
        ),
    ),
    "edit plan": (
        CITY,
        lambda w: (
            f"/plans/{w.plan.id}/edit",
            {
                "title": "Bamberg's deal",
                "status": "in_preparation",
                "governance": "A team",
                "version": w.plan.version,
            },
        ),
    ),
    "create deal": (
        CITY,
        lambda w: (
            "/plans/new?city=bamberg",
            {"title": "Local Green Deal of Bamberg", "status": "planned"},
        ),
    ),
    "add partner": (
        CITY,
        lambda w: (
            f"/plans/{w.plan.id}/partners/new",
            {"name": "Bamberg University", "kind": "university"},
        ),
    ),
    "edit partner": (
        CITY,
        lambda w: (
            f"/plans/partners/{w.partner.id}/edit",
            {
                "name": "Bamberg Energy Co-op",
                "kind": "sme",
                "commitment": "100 kWp",
                "version": w.partner.version,
            },
        ),
    ),
    "add action": (
        CITY,
        lambda w: (
            f"/plans/{w.plan.id}/actions/new",
            {"title": "Cargo bikes", "sector_id": "None", "theme_id": "None"},
        ),
    ),
    "city milestone done": (
        CITY,
        lambda w: (
            f"/milestones/{w.plan_milestone.id}/done",
            {"completed_on": TODAY, "version": w.plan_milestone.version},
        ),
    ),
    "city milestone move": (
        CITY,
        lambda w: (
            f"/milestones/{w.plan_milestone.id}/move",
            {
                "due_on": "2031-01-01",
                "reason": "Council vote delayed",
                "version": w.plan_milestone.version,
            },
        ),
    ),
    "city milestone reopen": (
        CITY,
        lambda w: (
            f"/milestones/{w.plan_milestone.id}/reopen",
            {"reason": "Marked done by mistake", "version": done(w.plan_milestone).version},
        ),
    ),
    "programme milestone done": (
        PROGRAMME,
        lambda w: (
            f"/milestones/{w.programme_milestone.id}/done",
            {"completed_on": TODAY, "version": w.programme_milestone.version},
        ),
    ),
    "programme milestone move": (
        PROGRAMME,
        lambda w: (
            f"/milestones/{w.programme_milestone.id}/move",
            {
                "due_on": "2025-06-30",
                "reason": "Extended",
                "version": w.programme_milestone.version,
            },
        ),
    ),
    "add mentorship": (
        PROGRAMME,
        lambda w: (
            "/mentorships",
            {
                "mentor": "dortmund",
                "mentee": "heidelberg",
                "since_on": "2024-02-01",
                "sector_id": "None",
            },
        ),
    ),
    "end mentorship": (
        PROGRAMME,
        lambda w: (
            f"/mentorships/{w.mentorship.id}/edit",
            {
                "since_on": "2024-01-01",
                "ended_on": "2025-01-01",
                "sector_id": "None",
                "version": w.mentorship.version,
            },
        ),
    ),
    "create account": (
        ADMIN,
        lambda w: (
            "/admin/users",
            {"email": "new@example.org", "role": "viewer", "city": "", "password": PASSWORD},
        ),
    ),
    "edit account": (
        ADMIN,
        lambda w: (
            f"/admin/users/{w.other_user.id}/edit",
            {"role": "lead", "city": "", "is_active": "y", "version": w.other_user.version},
        ),
    ),
    "reset password": (
        ADMIN,
        lambda w: (
            f"/admin/users/{w.other_user.id}/password",
            {"password": "a brand new password"},
        ),
    ),
    "issue API token": (
        ADMIN,
        lambda w: (f"/admin/users/{w.other_user.id}/tokens", {"name": "reporting"}),
    ),
    "revoke API token": (ADMIN, lambda w: (f"/admin/tokens/{w.token.id}/revoke", {})),
}
# A new token is shown in the answer itself rather than after a redirect.
SUCCESS = {"issue API token": 200}


def sign_in_as(client, role: str) -> User | None:
    if role == "signed_out":
        return None
    if role == "editor":
        user = make_user("editor", city="bamberg")
    elif role == "editor_other_city":
        user = make_user("editor", city="heidelberg")
    else:
        user = make_user(role)
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return user


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(ROUTES))
def test_write_route_permissions(client, csrf_on, world, route, role):
    allowed, build = ROUTES[route]
    sign_in_as(client, role)
    url, data = build(world)
    page = client.get("/auth/login" if role == "signed_out" else "/")
    token = csrf_token(page.get_data(as_text=True))
    before = snapshot()
    last_event = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0

    response = client.post(url, data={**data, "csrf_token": token})

    if role in allowed:
        expected = SUCCESS.get(route, 302)
        assert response.status_code == expected, response.get_data(as_text=True)[:2000]
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id > last_event)).all()
        assert events, f"{route} wrote no audit event"
        assert all(
            e.before is not None and e.after is not None and e.user_id is not None for e in events
        )
        assert snapshot() != before
    else:
        if role == "signed_out":
            assert response.status_code == 302
            assert response.headers["Location"].startswith("/auth/login")
        else:
            assert response.status_code == 403
        db.session.expire_all()
        assert snapshot() == before


@pytest.mark.parametrize("route", list(ROUTES))
def test_write_routes_refuse_a_missing_csrf_token(client, csrf_on, world, route):
    _allowed, build = ROUTES[route]
    sign_in_as(client, "admin")
    url, data = build(world)
    before = snapshot()
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert snapshot() == before


def test_edit_forms_are_refused_to_readers_too(client, csrf_on, world):
    sign_in_as(client, "viewer")
    for url in (
        f"/actions/{world.action.id}/edit",
        f"/plans/{world.plan.id}/edit",
        f"/plans/{world.plan.id}/partners/new",
        "/admin/users",
        "/admin/audit",
    ):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("viewer", set()),
        ("editor", {"My city", "Import"}),
        ("lead", {"Import", "Audit log"}),
        ("admin", {"Import", "Audit log", "Accounts"}),
    ],
)
def test_the_header_offers_each_role_its_tools(client, app, role, shown):
    user = make_user(role, city="bamberg" if role == "editor" else None)
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    header = client.get("/").get_data(as_text=True).split("</header>", 1)[0]
    offered = {
        tool for tool in ("My city", "Import", "Audit log", "Accounts") if f">{tool}<" in header
    }
    assert offered == shown
