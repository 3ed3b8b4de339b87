"""Review before publishing (issue: an editor's test report was public within minutes): with
review required, a report waits for a reviewer; the public view shows approved data only."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_action, make_indicator, make_milestone, make_plan, make_user
from tests.helpers import login, row_counts, signed_in_client
from tests.web.test_api import bearer, token_for
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    OutgoingMail,
    ProgressUpdate,
    Review,
    ReviewDecision,
    ReviewGrant,
)

TODAY = date.today().isoformat()


@pytest.fixture
def reviewing(app):
    """The public view on, and with it review required (the setting's default then)."""
    app.config["PUBLIC_PAGES"] = True
    app.config["REVIEW"] = "required"
    return app


@pytest.fixture
def world(reviewing):
    plan = make_plan("bamberg")
    action = make_action(plan, title="Solar on schools")
    indicator = make_indicator(action)
    return {"action": action, "indicator": indicator, "plan": plan}


@pytest.fixture
def editor(reviewing, world):
    return signed_in_client(reviewing, "editor", city="bamberg")


@pytest.fixture
def lead(reviewing, world):
    return signed_in_client(reviewing, "lead", email="lead@example.org")


def report(client, action_id: int, percent: int, **extra) -> None:
    response = client.post(
        f"/actions/{action_id}/progress",
        data={
            "reported_on": TODAY,
            "status": "on_track",
            "percent_complete": str(percent),
            **extra,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def public_city(app) -> str:
    return app.test_client().get("/public/cities/bamberg").get_data(as_text=True)


def public_cohort(app) -> str:
    return app.test_client().get("/public/cohort").get_data(as_text=True)


def bamberg_row(html: str) -> str:
    """Bamberg's row of the cohort's table."""
    return next(row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if "Bamberg" in row)


def waiting_review() -> Review:
    """The latest review made."""
    found = db.session.scalars(sa.select(Review).order_by(Review.id.desc())).first()
    assert found is not None
    return found


def test_a_step_done_reaches_the_public_cohort_only_once_approved(reviewing, world, editor, lead):
    step = make_milestone(world["plan"], slug="test/bamberg/team-set-up", due_on=date(2030, 1, 1))
    step.lgd_step = "team-set-up"
    db.session.commit()
    before = bamberg_row(public_cohort(reviewing))
    assert "cell-done" not in before
    response = editor.post(
        f"/milestones/{step.id}/done", data={"completed_on": TODAY, "version": str(step.version)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert bamberg_row(public_cohort(reviewing)) == before
    assert "cell-done" in bamberg_row(lead.get("/cohort").get_data(as_text=True))
    lead.post("/review/decide", data={"review": str(waiting_review().id), "approve": "Approve"})
    assert "cell-done" in bamberg_row(public_cohort(reviewing))


def test_a_report_reaches_the_public_pages_only_once_a_lead_approves_it(
    reviewing, world, editor, lead
):
    before_city = public_city(reviewing)
    report(editor, world["action"].id, 56)
    assert "56" not in public_city(reviewing)
    assert public_city(reviewing) == before_city
    # The editor is told that it waits, on the action's page (the first time in its message).
    page = editor.get(f"/actions/{world['action'].id}").get_data(as_text=True)
    assert "It awaits review: the public view shows it once a reviewer approves it." in page
    assert "awaiting review" in page

    queue = lead.get("/review").get_data(as_text=True)
    assert "Solar on schools" in queue
    assert "1 report awaits review." in queue
    assert "Review (1)" in queue  # the header's count
    review = waiting_review()
    response = lead.post("/review/decide", data={"review": str(review.id), "approve": "Approve"})
    assert response.status_code == 302
    assert "56" in public_city(reviewing)
    # The decision is in the audit trail and on the action's page.
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "review.approve"))
    assert (event.actor, event.entity_type, event.after["update_id"]) == (
        "lead@example.org",
        "action",
        review.update_id,
    )
    page = editor.get(f"/actions/{world['action'].id}").get_data(as_text=True)
    assert "approved by lead@example.org" in page


def test_a_returned_report_never_reaches_the_public_and_its_author_reads_why(
    reviewing, world, editor, lead
):
    report(editor, world["action"].id, 56)
    review = waiting_review()
    response = lead.post(
        "/review/decide",
        data={
            "review": str(review.id),
            "send_back": "Return",
            "comment": "56 % of what? Add the source.",
        },
    )
    assert response.status_code == 302
    assert "56" not in public_city(reviewing)
    page = editor.get(f"/actions/{world['action'].id}").get_data(as_text=True)
    assert "56 % of what? Add the source." in page
    message = db.session.scalar(sa.select(OutgoingMail).where(OutgoingMail.kind == "returned"))
    assert message.user.email == "editor-bamberg@example.org"
    assert "56 % of what? Add the source." in message.body_text
    # Nothing more to decide: the queue is empty.
    assert "Nothing waits for review here." in lead.get("/review").get_data(as_text=True)


def test_the_author_is_told_in_their_language(reviewing, world, lead):
    german = make_user("editor", city="bamberg", email="redaktion@example.org")
    german.language = "de"
    db.session.commit()
    client = reviewing.test_client()
    login(client, german.email)
    report(client, world["action"].id, 40)
    lead.post(
        "/review/decide",
        data={"review": str(waiting_review().id), "send_back": "x", "comment": "Quelle fehlt."},
    )
    message = db.session.scalar(sa.select(OutgoingMail).where(OutgoingMail.kind == "returned"))
    assert "zurückgegeben" in message.subject


def test_nobody_approves_their_own_report(reviewing, world, lead):
    report(lead, world["action"].id, 30)
    review = waiting_review()
    own_token, other_token = _token_of("lead@example.org"), token_for("lead")
    before = row_counts()
    # The queue marks it and offers no box; sent anyway, it is refused.
    assert "Your own report: another reviewer decides." in lead.get("/review").get_data(
        as_text=True
    )
    response = lead.post("/review/decide", data={"review": str(review.id), "approve": "Approve"})
    assert response.status_code == 403
    assert row_counts() == before
    # Through the API, by the report's id: 403, nothing stored.
    api = reviewing.test_client()
    response = api.post(
        f"/api/v1/review/updates/{review.update_id}/approve", headers=bearer(own_token), json={}
    )
    assert response.status_code == 403
    assert row_counts() == before
    # Another lead may decide it.
    response = api.post(
        f"/api/v1/review/updates/{review.update_id}/approve", headers=bearer(other_token), json={}
    )
    assert response.status_code == 201


def _token_of(email: str) -> str:
    from tracker.models import User
    from tracker.services import tokens

    user = db.session.scalars(sa.select(User).where(User.email == email)).one()
    token = tokens.issue_token(None, user, "test", actor_label="test")
    db.session.commit()
    return token


def test_return_needs_a_comment_approving_twice_is_a_conflict_and_a_key_replays(
    reviewing, world, editor
):
    report(editor, world["action"].id, 20)
    update_id = waiting_review().update_id
    client, token = reviewing.test_client(), token_for("lead")
    before = row_counts()
    response = client.post(
        f"/api/v1/review/updates/{update_id}/return", headers=bearer(token), json={}
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "comment"
    assert row_counts() == before
    headers = {**bearer(token), "Idempotency-Key": "approve-once"}
    first = client.post(f"/api/v1/review/updates/{update_id}/approve", headers=headers, json={})
    assert first.status_code == 201
    assert first.get_json()["state"] == "approved"
    again = client.post(f"/api/v1/review/updates/{update_id}/approve", headers=headers, json={})
    assert (again.status_code, again.get_json()) == (201, first.get_json())
    assert again.headers["Idempotent-Replayed"] == "true"
    twice = client.post(
        f"/api/v1/review/updates/{update_id}/approve", headers=bearer(token), json={}
    )
    assert twice.status_code == 409
    returned = client.post(
        f"/api/v1/review/updates/{update_id}/return", headers=bearer(token), json={"comment": "no"}
    )
    assert returned.status_code == 409


def test_a_reviewer_of_one_city_cannot_decide_another_citys_reports(reviewing, world, editor):
    from tests.factories import get_city

    mentor = make_user("viewer", email="mentor@example.org")
    db.session.add(ReviewGrant(user_id=mentor.id, city_id=get_city("dortmund").id))
    db.session.commit()
    report(editor, world["action"].id, 20)  # a report of Bamberg's
    update_id = waiting_review().update_id
    client = reviewing.test_client()
    token = _token_of(mentor.email)
    before = row_counts()
    response = client.post(
        f"/api/v1/review/updates/{update_id}/approve",
        headers=bearer(token),
        json={},
    )
    assert response.status_code == 403
    assert row_counts() == before
    # In the queue they see nothing of Bamberg's, and cannot send its id either.
    web = reviewing.test_client()
    login(web, mentor.email)
    before = row_counts()
    assert "Nothing waits for review here." in web.get("/review").get_data(as_text=True)
    response = web.post("/review/decide", data={"review": str(waiting_review().id), "approve": "x"})
    assert response.status_code == 403
    assert row_counts() == before
    # Granted Bamberg too, they may.
    db.session.add(ReviewGrant(user_id=mentor.id, city_id=get_city("bamberg").id))
    db.session.commit()
    response = web.post("/review/decide", data={"review": str(waiting_review().id), "approve": "x"})
    assert response.status_code == 302


def test_those_who_do_not_review_are_refused_the_queue(reviewing, world, editor):
    report(editor, world["action"].id, 20)
    token = token_for("viewer")
    before = row_counts()
    assert editor.get("/review").status_code == 403
    assert (
        editor.post(
            "/review/decide", data={"review": str(waiting_review().id), "approve": "x"}
        ).status_code
        == 403
    )
    assert reviewing.test_client().get("/api/v1/review", headers=bearer(token)).status_code == 403
    assert row_counts() == before
    assert "Review (" not in editor.get("/").get_data(as_text=True)


def test_bad_decisions_are_refused_with_a_message_and_store_nothing(reviewing, world, editor, lead):
    report(editor, world["action"].id, 20)
    client, token = reviewing.test_client(), token_for("lead")
    before = row_counts()
    nothing = lead.post("/review/decide", data={"approve": "Approve"})
    assert nothing.status_code == 400
    assert "Tick at least one report" in nothing.get_data(as_text=True)
    unknown = lead.post("/review/decide", data={"review": "999999", "approve": "Approve"})
    assert unknown.status_code == 400
    silent = lead.post(
        "/review/decide", data={"review": str(waiting_review().id), "send_back": "x"}
    )
    assert silent.status_code == 422
    assert "Say what needs changing" in silent.get_data(as_text=True)
    assert lead.get("/review?kind=nonsense").status_code == 400
    assert client.get("/api/v1/review?kind=nonsense", headers=bearer(token)).status_code == 400
    assert (
        client.post(
            "/api/v1/review/updates/999999/approve", headers=bearer(token), json={}
        ).status_code
        == 404
    )
    body = client.post(
        f"/api/v1/review/updates/{waiting_review().update_id}/approve",
        headers=bearer(token),
        json={"comment": 5},
    )
    assert body.status_code == 422
    assert row_counts() == before


def test_a_report_approved_on_entry_has_nothing_to_decide(app, world):
    app.config["REVIEW"] = "off"
    editor = signed_in_client(app, "editor", city="bamberg")
    report(editor, world["action"].id, 56)
    update = db.session.scalars(
        sa.select(ProgressUpdate).order_by(ProgressUpdate.id.desc())
    ).first()
    response = app.test_client().post(
        f"/api/v1/review/updates/{update.id}/approve", headers=bearer(token_for("lead")), json={}
    )
    assert response.status_code == 409


def test_with_review_off_everything_is_public_at_once_as_before(app, world):
    app.config["PUBLIC_PAGES"] = True
    app.config["REVIEW"] = "off"
    editor = signed_in_client(app, "editor", city="bamberg")
    report(editor, world["action"].id, 56)
    assert "56" in public_city(app)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 0
    records = (
        app.test_client()
        .get("/api/v1/progress-updates", headers=bearer(token_for("viewer")))
        .get_json()["items"]
    )
    assert {r["review"]["state"] for r in records} == {"approved"}


def test_the_api_lists_submitted_reports_with_their_state_and_the_queue(reviewing, world, editor):
    report(editor, world["action"].id, 56)
    client = reviewing.test_client()
    items = client.get(
        "/api/v1/progress-updates?city=bamberg", headers=bearer(token_for("viewer"))
    ).get_json()["items"]
    assert [i["review"]["state"] for i in items] == ["submitted"]
    queue = client.get("/api/v1/review", headers=bearer(token_for("lead"))).get_json()
    (item,) = queue["items"]
    assert (item["report"], item["kind"], item["city"], item["title"]) == (
        "update",
        "progress",
        "Bamberg",
        "Solar on schools",
    )
    assert {"what": "percent", "before": None, "after": 56, "unit": None} in item["changes"]


def test_a_value_on_its_own_waits_and_its_author_sees_a_return(reviewing, world, editor, lead):
    indicator = world["indicator"]
    response = reviewing.test_client().post(
        f"/api/v1/indicators/{indicator.id}/values",
        headers=bearer(_token_of("editor-bamberg@example.org")),
        json={"measured_on": TODAY, "value": 321.5},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["review"]["state"] == "submitted"
    page = editor.get(f"/actions/{world['action'].id}").get_data(as_text=True)
    assert "Values not yet published" in page
    assert "321" not in public_city(reviewing)
    lead.post(
        "/review/decide",
        data={"review": str(waiting_review().id), "send_back": "x", "comment": "Unit is kWp?"},
    )
    page = editor.get(f"/actions/{world['action'].id}").get_data(as_text=True)
    assert "Unit is kWp?" in re.search(r'id="unsettled-values".*?</ul>', page, re.S).group(0)
    assert "321" not in public_city(reviewing)


def test_indicator_values_and_milestone_reports_wait_too(reviewing, world, editor, lead):
    indicator = world["indicator"]
    response = editor.post(
        f"/actions/{world['action'].id}/progress",
        data={
            "reported_on": TODAY,
            "status": "on_track",
            "percent_complete": "10",
            "indicator_id": str(indicator.id),
            "indicator_value": "123.5",
        },
    )
    assert response.status_code == 302
    assert "123" not in public_city(reviewing)
    milestone = make_milestone(world["plan"], due_on=date(2031, 1, 1))
    response = editor.post(
        f"/milestones/{milestone.id}/move",
        data={
            "due_on": "2032-03-01",
            "reason": "Council elections",
            "version": str(milestone.version),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(milestone)
    assert (milestone.due_on, milestone.published_due_on) == (date(2032, 3, 1), date(2031, 1, 1))
    assert "awaiting review" in editor.get(f"/milestones/{milestone.id}").get_data(as_text=True)
    queue = lead.get("/review?kind=milestone").get_data(as_text=True)
    assert "1 report awaits review." in queue
    ids = [str(r.id) for r in db.session.scalars(sa.select(Review))]
    assert (
        lead.post("/review/decide", data={"review": ids, "approve": "Approve"}).status_code == 302
    )
    db.session.refresh(milestone)
    assert milestone.published_due_on == date(2032, 3, 1)
    page = editor.get(f"/milestones/{milestone.id}").get_data(as_text=True)
    assert "approved by lead@example.org" in page
    assert "123.5" in public_city(reviewing)


def test_an_import_enters_as_submitted_or_approved_by_a_reviewer(reviewing, world):
    from tracker.services import imports
    from tracker.services.accounts import CommandLineActor  # noqa: F401

    action = world["action"]
    lead = make_user("lead", email="importer@example.org")
    head = "external_id,action,reported_on,status,percent_complete\n"
    ref = f"bamberg/{world['plan'].slug}/{action.slug}"
    content = (head + f"imp-1,{ref},{TODAY},on_track,33\n").encode()
    imports.apply_file(
        lead, "progress", "p.csv", content, today=date.today(), limits=imports.UploadLimits()
    )
    db.session.commit()
    assert waiting_review().decision is None
    content = (head + f"imp-2,{ref},{TODAY},on_track,44\n").encode()
    imports.apply_file(
        lead,
        "progress",
        "p.csv",
        content,
        today=date.today(),
        limits=imports.UploadLimits(),
        approve=True,
    )
    db.session.commit()
    decided = waiting_review()
    assert (decided.decision.decision, decided.decision.through) == ("approved", "import")
    assert "44" in public_city(reviewing)


def test_reviewers_hear_of_submissions_in_their_digest_or_at_once(reviewing, world, editor):
    from tracker.services import reminders

    digest_lead = make_user("lead", email="weekly-lead@example.org")
    quick_lead = make_user("lead", email="quick-lead@example.org")
    quick = reviewing.test_client()
    login(quick, quick_lead.email)
    assert quick.post("/auth/review-mail", data={"review_mail": "immediate"}).status_code == 302
    report(editor, world["action"].id, 20)
    (at_once,) = db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.kind == "review"))
    assert at_once.user.email == quick_lead.email
    assert "1 report was just submitted" in at_once.body_text
    reminders.decide(date.today())
    digest = db.session.scalar(
        sa.select(OutgoingMail).where(
            OutgoingMail.user_id == digest_lead.id, OutgoingMail.kind == "programme"
        )
    )
    assert "1 report awaits your review" in digest.body_text
    assert "/review" in digest.body_text


def test_the_review_mail_choice_is_checked_and_kept_for_reviewers_only(
    reviewing, world, editor, lead
):
    before = row_counts()
    refused = lead.post("/auth/review-mail", data={"review_mail": "hourly"})
    assert refused.status_code == 400
    assert row_counts() == before
    assert editor.post("/auth/review-mail", data={"review_mail": "immediate"}).status_code == 403
    assert row_counts() == before
    assert "Reports to review" in lead.get("/auth/password").get_data(as_text=True)
    assert "Reports to review" not in editor.get("/auth/password").get_data(as_text=True)


def test_the_command_line_grants_and_takes_back_a_citys_review(reviewing, world):
    runner = reviewing.test_cli_runner()
    make_user("viewer", email="mentor@example.org")
    result = runner.invoke(args=["users", "review", "mentor@example.org", "bamberg"])
    assert result.exit_code == 0, result.output
    assert "mentor@example.org reviews bamberg." in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewGrant)) == 1
    unknown = runner.invoke(args=["users", "review", "mentor@example.org", "atlantis"])
    assert unknown.exit_code != 0
    assert "No city is called atlantis." in unknown.output
    result = runner.invoke(args=["users", "review", "mentor@example.org", "bamberg", "--revoke"])
    assert result.exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewGrant)) == 0
    verbs = set(db.session.scalars(sa.select(AuditEvent.verb)))
    assert {"user.review_grant", "user.review_revoke"} <= verbs


def submit_many(editor_user, plan, count: int, start: int) -> None:
    """`count` actions of Bamberg's, each with a report carrying an indicator value and a
    value on its own, all waiting for review."""
    from tracker.schemas.reports import IndicatorValueReport, ProgressReport
    from tracker.services import progress

    for n in range(start, start + count):
        action = make_action(plan, title=f"Measure {n}", slug=f"measure-{n}")
        indicator = make_indicator(action)
        progress.log_progress(
            editor_user,
            action,
            ProgressReport(
                reported_on=date.today(),
                status="on_track",
                percent_complete=n % 100,
                indicator_id=indicator.id,
                indicator_value=float(n),
            ),
            today=date.today(),
        )
        progress.record_indicator_value(
            editor_user,
            indicator,
            IndicatorValueReport(measured_on=date.today(), value=float(n)),
            today=date.today(),
        )
    db.session.commit()


def test_the_queue_runs_the_same_queries_whatever_it_holds(reviewing, world, lead):
    from tests.web.test_query_counts import count_queries

    author = make_user("editor", city="bamberg", email="many@example.org")
    token = token_for("lead")
    api = reviewing.test_client()
    submit_many(author, world["plan"], 2, 0)
    small = [count_queries(lead, "/review"), count_queries(api_with(api, token), "/api/v1/review")]
    submit_many(author, world["plan"], 20, 2)
    large = [count_queries(lead, "/review"), count_queries(api_with(api, token), "/api/v1/review")]
    assert small == large
    assert "44 reports await review." in lead.get("/review").get_data(as_text=True)


class api_with:
    def __init__(self, client, token: str) -> None:
        self.client, self.token = client, token

    def get(self, url: str):
        return self.client.get(url, headers=bearer(self.token))


def test_an_administrator_grants_and_takes_back_a_citys_review_on_the_account_page(reviewing):
    admin = signed_in_client(reviewing, "admin", email="root@example.org")
    mentor = make_user("viewer", email="mentor@example.org")
    page = f"/admin/users/{mentor.id}/review"
    before = row_counts()
    for who in ("lead", "editor"):
        other = signed_in_client(reviewing, who, city="bamberg" if who == "editor" else None)
        before = row_counts()
        assert other.post(page, data={"city": "bamberg"}).status_code == 403
        assert row_counts() == before
    bad = admin.post(page, data={"city": "atlantis"})
    assert bad.status_code == 400
    assert row_counts() == before
    assert admin.post(page, data={"city": "bamberg"}).status_code == 302
    text = admin.get(f"/admin/users/{mentor.id}/edit").get_data(as_text=True)
    assert "Bamberg" in re.search(r'id="review".*?</section>', text, re.S).group(0)
    assert admin.post(f"{page}/bamberg/revoke").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewGrant)) == 0
    unknown = admin.post(f"{page}/atlantis/revoke")
    assert unknown.status_code == 400
    assert "No city is called atlantis." in unknown.get_data(as_text=True)


def test_two_reviewers_deciding_one_report_at_once_get_one_decision_and_a_conflict(
    reviewing, world, editor
):
    """The second decision reaches the database after the first: the unique decision per
    report refuses it, answered as a conflict (409), never a 500."""
    from tracker.domain.errors import Conflict
    from tracker.services import review as review_service

    report(editor, world["action"].id, 20)
    first = make_user("lead", email="one@example.org")
    second = make_user("lead", email="two@example.org")
    waiting = waiting_review()
    assert waiting.decision is None  # what the second reviewer's request read
    db.session.execute(  # meanwhile the first reviewer's decision is stored
        sa.insert(ReviewDecision).values(
            review_id=waiting.id, decision="approved", reviewer=first.email, through="queue"
        )
    )
    with pytest.raises(Conflict, match="decided meanwhile"):
        review_service.decide(second, [waiting], "approved", None, through="api")
