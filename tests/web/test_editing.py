"""Editing plans, partners, actions, indicators and milestones: versions, bad input, history."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_action, make_indicator, make_milestone, make_plan, make_user
from tests.helpers import login, page_text, snapshot
from tracker.extensions import db
from tracker.models import Action, AuditEvent, Milestone, Partner, Plan, ProgressUpdate


@pytest.fixture
def plan(app):
    return make_plan("bamberg")


@pytest.fixture
def editor(client, plan):
    make_user("editor", city="bamberg")
    login(client, "editor-bamberg@example.org")
    return client


def action_form(action, **overrides):
    return {
        "title": action.title,
        "description": "",
        "sector_id": "None",
        "theme_id": "None",
        "lead_organisation": "",
        "starts_on": "",
        "due_on": "",
        "version": action.version,
        **overrides,
    }


def test_two_editors_open_the_same_form_first_save_wins_second_gets_409(app, plan):
    action = make_action(plan)
    first, second = app.test_client(), app.test_client()
    make_user("editor", city="bamberg")
    make_user("lead")
    login(first, "editor-bamberg@example.org")
    login(second, "lead-all@example.org")
    # Both open the form on the same version.
    assert first.get(f"/actions/{action.id}/edit").status_code == 200
    assert second.get(f"/actions/{action.id}/edit").status_code == 200
    opened_version = action.version

    saved = first.post(
        f"/actions/{action.id}/edit",
        data=action_form(
            action,
            title="Solar on all schools",
            lead_organisation="School board",
            version=opened_version,
        ),
    )
    assert saved.status_code == 302
    before = snapshot()

    refused = second.post(
        f"/actions/{action.id}/edit",
        data=action_form(
            action, title="PV on schools", due_on="2026-12-31", version=opened_version
        ),
    )
    assert refused.status_code == 409
    page = page_text(refused)
    assert "Solar on all schools" in page
    assert "School board" in page
    assert "editor-bamberg@example.org" in page  # and who changed it
    assert snapshot() == before
    db.session.expire_all()
    current = db.session.get(Action, action.id)
    assert (current.title, current.lead_organisation, current.due_on) == (
        "Solar on all schools",
        "School board",
        None,
    )


def test_a_save_on_the_current_version_is_audited_with_before_and_after(editor, plan):
    action = make_action(plan)
    response = editor.post(
        f"/actions/{action.id}/edit",
        data=action_form(action, title="Cargo bikes", due_on="2026-06-30"),
    )
    assert response.status_code == 302
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "action.update"))
    assert event.before == {"title": "Solar on schools", "due_on": None}
    assert event.after == {"title": "Cargo bikes", "due_on": "2026-06-30", "version": 2}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"starts_on": "2026-05-01", "due_on": "2026-01-01"}, "due_on"),
        ({"sector_id": "999999"}, "sector_id"),
        ({"due_on": "tomorrow"}, "due_on"),
        ({"version": ""}, "version"),
    ],
)
def test_action_edit_bad_input(editor, plan, overrides, field):
    action = make_action(plan)
    before = snapshot()
    response = editor.post(f"/actions/{action.id}/edit", data=action_form(action, **overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert snapshot() == before


def plan_form(plan, **overrides):
    return {
        "title": plan.title,
        "status": plan.status or "",
        "started_on": "2023-09-01",
        "signed_on": "",
        "summary": "",
        "governance": "",
        "actions_summary": "",
        "integrated_goals": "",
        "partnerships": "",
        "version": plan.version,
        **overrides,
    }


def test_editing_the_local_green_deal_and_its_four_elements(editor, plan):
    response = editor.post(
        f"/plans/{plan.id}/edit",
        data=plan_form(
            plan,
            status="signed",
            signed_on="2024-05-02",
            governance="Office of the mayor leads",
            actions_summary="Six actions",
            integrated_goals="Aligned with SECAP",
            partnerships="Chamber and university",
        ),
    )
    assert response.status_code == 302
    db.session.refresh(plan)
    assert (plan.status, plan.signed_on, plan.governance) == (
        "signed",
        date(2024, 5, 2),
        "Office of the mayor leads",
    )
    page = page_text(editor.get(f"/plans/{plan.id}"))
    for text in (
        "Office of the mayor leads",
        "Six actions",
        "Aligned with SECAP",
        "Chamber and university",
    ):
        assert text in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"status": "signed"}, "signed_on", "signing date"),
        ({"status": "planned", "signed_on": "2024-01-01"}, "status", "signed or further"),
        ({"status": "won"}, "status", "Not a valid choice"),
        ({"title": ""}, "title", "required"),
    ],
)
def test_plan_edit_bad_input(editor, plan, overrides, field, message):
    before = snapshot()
    response = editor.post(f"/plans/{plan.id}/edit", data=plan_form(plan, **overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message.lower() in error.lower()
    assert snapshot() == before


def test_creating_a_deal_once_per_city(editor):
    response = editor.post(
        "/plans/new?city=bamberg", data={"title": "Bamberg deal", "status": "in_preparation"}
    )
    # The fixture plan is this programme's deal already.
    assert response.status_code == 400
    assert "has a Local Green Deal in this programme already" in page_text(response)
    assert editor.get("/plans/new?city=atlantis").status_code == 404


def test_partners_are_added_and_edited_and_names_stay_unique(editor, plan):
    data = {
        "name": "Bamberg University",
        "kind": "university",
        "commitment": "Measure savings",
        "signed_on": "2024-05-02",
    }
    assert editor.post(f"/plans/{plan.id}/partners/new", data=data).status_code == 302
    before = snapshot()
    duplicate = editor.post(f"/plans/{plan.id}/partners/new", data=data)
    assert duplicate.status_code == 400
    assert "partner of that name already" in page_text(duplicate)
    bad_kind = editor.post(
        f"/plans/{plan.id}/partners/new", data={**data, "name": "X", "kind": "mafia"}
    )
    assert bad_kind.status_code == 400
    assert snapshot() == before
    partner = db.session.scalar(sa.select(Partner).where(Partner.plan_id == plan.id))
    response = editor.post(
        f"/plans/partners/{partner.id}/edit",
        data={**data, "kind": "research", "version": partner.version},
    )
    assert response.status_code == 302
    db.session.refresh(partner)
    assert partner.kind == "research"


def test_new_actions_and_indicators(editor, plan):
    response = editor.post(
        f"/plans/{plan.id}/actions/new",
        data={
            "title": "Cargo bikes for retailers",
            "sector_id": "None",
            "theme_id": "None",
            "starts_on": "2024-01-01",
            "due_on": "2025-01-01",
        },
    )
    assert response.status_code == 302
    action = db.session.scalar(sa.select(Action).where(Action.plan_id == plan.id))
    assert action.slug == "cargo-bikes-for-retailers"
    assert action.status is None
    response = editor.post(
        f"/actions/{action.id}/indicators/new",
        data={"name": "Bikes in use", "unit": "bikes", "baseline_value": "0", "target_value": "40"},
    )
    assert response.status_code == 302
    for value in ("nan", "inf"):
        bad = editor.post(
            f"/actions/{action.id}/indicators/new",
            data={"name": "X", "unit": "u", "target_value": value},
        )
        assert bad.status_code == 400
    indicator = make_indicator(action, name="Trips", unit="trips")
    response = editor.post(
        f"/actions/indicators/{indicator.id}/edit",
        data={"name": "Trips", "unit": "trips per month", "version": indicator.version},
    )
    assert response.status_code == 302
    db.session.refresh(indicator)
    assert indicator.unit == "trips per month"


def test_milestone_done_and_moves_keep_the_original_date_and_every_slip(editor, plan):
    milestone = make_milestone(plan, due_on=date(2024, 6, 1))
    for new_date, reason in (
        ("2024-09-01", "Council vote delayed"),
        ("2024-12-01", "Summer break"),
    ):
        db.session.refresh(milestone)
        response = editor.post(
            f"/milestones/{milestone.id}/move",
            data={"due_on": new_date, "reason": reason, "version": milestone.version},
        )
        assert response.status_code == 302
    db.session.refresh(milestone)
    response = editor.post(
        f"/milestones/{milestone.id}/done",
        data={
            "completed_on": "2024-11-20",
            "evidence_url": "https://example.org/minutes",
            "version": milestone.version,
        },
    )
    assert response.status_code == 302
    db.session.refresh(milestone)
    assert (milestone.planned_on, milestone.due_on, milestone.completed_on) == (
        date(2024, 6, 1),
        date(2024, 12, 1),
        date(2024, 11, 20),
    )
    page = page_text(editor.get(f"/milestones/{milestone.id}"))
    for text in (
        "moved to 1 Sep 2024",
        "Council vote delayed",
        "moved to 1 Dec 2024",
        "Summer break",
        "done on 20 Nov 2024",
        "Originally planned</dt><dd>1 Jun 2024",
    ):
        assert text in page
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ProgressUpdate)
            .where(ProgressUpdate.milestone_id == milestone.id)
        )
        == 3
    )


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("move", {"due_on": "2031-01-01", "reason": ""}, "reason"),
        ("move", {"due_on": "2030-01-01", "reason": "same"}, "due_on"),
        ("move", {"due_on": "soon", "reason": "x"}, "due_on"),
        ("done", {"completed_on": "2999-01-01"}, "completed_on"),
        (
            "done",
            {"completed_on": "2024-01-01", "evidence_url": "javascript:alert(1)"},
            "evidence_url",
        ),
    ],
)
def test_milestone_bad_input(editor, plan, path, data, field):
    milestone = make_milestone(plan)
    before = snapshot()
    response = editor.post(
        f"/milestones/{milestone.id}/{path}", data={**data, "version": milestone.version}
    )
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_milestone_changed_meanwhile_is_a_conflict(editor, plan):
    milestone = make_milestone(plan)
    stale_version = milestone.version
    editor.post(
        f"/milestones/{milestone.id}/move",
        data={"due_on": "2031-01-01", "reason": "later", "version": stale_version},
    )
    before = snapshot()
    response = editor.post(
        f"/milestones/{milestone.id}/done",
        data={"completed_on": "2024-01-01", "version": stale_version},
    )
    assert response.status_code == 409
    assert snapshot() == before


def test_programme_milestones_are_the_leads(client, app):
    make_user("lead")
    login(client, "lead-all@example.org")
    milestone = db.session.scalar(
        sa.select(Milestone).where(Milestone.slug == "icc-2023-25/lgd-target")
    )
    page = page_text(client.get(f"/milestones/{milestone.id}"))
    assert "Mark done" in page
    assert "Move the due date" in page
    assert "No source reporting the final count has been found." in page


def test_my_city_lists_open_work_stale_items_and_links_to_log(editor, plan):
    fresh = make_action(plan, title="Fresh action", slug="fresh")
    stale = make_action(plan, title="Forgotten action", slug="forgotten")
    editor.post(
        f"/actions/{fresh.id}/progress",
        data={
            "reported_on": date.today().isoformat(),
            "status": "on_track",
            "percent_complete": "10",
            "indicator_id": "None",
        },
    )
    make_milestone(plan, due_on=date(2020, 1, 1))
    page = page_text(editor.get("/my"))
    assert "Fresh action" in page
    assert "Forgotten action" in page
    row = page.split("Forgotten action", 1)[1].split("</tr>", 1)[0]
    assert "never" in row
    assert "stale" in row
    assert "overdue" in page
    assert f"/actions/{stale.id}#log" in page
    fresh_row = page.split("Fresh action", 1)[1].split("</tr>", 1)[0]
    assert "stale" not in fresh_row


def test_my_city_only_shows_the_editors_own_city(client, app):
    make_action(make_plan("heidelberg"), title="Heidelberg action", slug="hd")
    make_user("editor", city="bamberg")
    login(client, "editor-bamberg@example.org")
    page = page_text(client.get("/my"))
    assert "Bamberg" in page
    assert "Heidelberg action" not in page
    assert "Start Bamberg's Local Green Deal" in page


def test_my_city_sends_other_roles_to_the_overview(client, app):
    make_user("lead")
    login(client, "lead-all@example.org")
    response = client.get("/my")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_plan_page_shows_demo_badges(editor, plan):
    plan_row = db.session.get(Plan, plan.id)
    plan_row.is_demo = True
    db.session.commit()
    assert 'class="badge demo"' in editor.get(f"/plans/{plan.id}").get_data(as_text=True)
