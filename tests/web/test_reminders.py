"""Reminders by e-mail, through a real SMTP server on loopback, on the demo data at a frozen
day: each editor's digest lists exactly their city's stale actions, due and overdue milestones;
a period's messages go once; nobody who turned them off gets any; a refusing server loses
nothing and doubles nothing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_user
from tests.helpers import login, page_text, row_counts, signed_in_client
from tests.mail_server import free_port, html_of, smtp_server, text_of
from tracker.extensions import db
from tracker.models import Action, AuditEvent, City, Milestone, OutgoingMail, Plan
from tracker.queries import digests

# A Wednesday inside the programme: Bamberg has stale actions, overdue steps and one due soon.
TODAY = date(2024, 11, 6)


@pytest.fixture
def mailer(demo_app):
    demo_app.config.update(MAIL_RETRIES=2, MAIL_BACKOFF_SECONDS=0)
    with smtp_server() as (inbox, port):
        demo_app.config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"
        yield inbox
    demo_app.config["MAIL_URL"] = None


def send(demo_app, today: date = TODAY):
    return demo_app.test_cli_runner().invoke(
        args=["reminders", "send", "--today", today.isoformat()]
    )


def expected_digest(slug: str, today: date) -> tuple[set[int], set[int]]:
    """(stale action ids, overdue and due-soon milestone ids) of a city, worked out here."""
    city = db.session.scalars(sa.select(City).where(City.slug == slug)).one()
    actions = db.session.scalars(
        sa.select(Action).join(Action.plan).where(Plan.city_id == city.id)
    ).all()
    stale = {
        a.id
        for a in actions
        if a.status not in ("done", "cancelled")
        and (a.last_reported_on is None or a.last_reported_on < today - timedelta(days=60))
    }
    plan_ids = {p for (p,) in db.session.execute(sa.select(Plan.id).where(Plan.city_id == city.id))}
    milestones = db.session.scalars(
        sa.select(Milestone).where(
            sa.or_(
                Milestone.plan_id.in_(plan_ids), Milestone.action_id.in_([a.id for a in actions])
            )
        )
    ).all()
    due = {
        m.id
        for m in milestones
        if m.completed_on is None and m.due_on <= today + timedelta(days=30)
    }
    return stale, due


def linked(message) -> tuple[set[int], set[int]]:
    text = text_of(message)
    return (
        {int(i) for i in re.findall(r"/actions/(\d+)#log", text)},
        {int(i) for i in re.findall(r"/milestones/(\d+)", text)},
    )


def test_a_digest_lists_exactly_the_editors_city_items_and_nothing_of_other_cities(
    demo_app, mailer
):
    make_user("editor", city="bamberg", email="bamberg-editor@example.org")
    result = send(demo_app)
    assert result.exit_code == 0, result.output
    (message,) = mailer.to("bamberg-editor@example.org")
    stale, due = expected_digest("bamberg", TODAY)
    assert stale or due
    assert linked(message) == (stale, due)
    assert "Bamberg" in message["Subject"]
    assert "Gelsenkirchen" not in text_of(message)
    assert message.is_multipart()
    assert "<a href=" in html_of(message)
    assert str(message["List-Unsubscribe"]).strip().startswith("<http")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_second_run_in_the_same_period_sends_nothing_new(demo_app, mailer):
    make_user("editor", city="bamberg", email="twice-editor@example.org")
    assert send(demo_app).exit_code == 0
    count = len(mailer.messages)
    again = send(demo_app, TODAY + timedelta(days=2))  # the same ISO week
    assert again.exit_code == 0
    assert "0 new message(s)" in again.output
    assert len(mailer.messages) == count
    next_week = send(demo_app, TODAY + timedelta(days=7))
    assert len(mailer.to("twice-editor@example.org")) == 2, next_week.output


def test_daily_reminders_come_each_day(demo_app, mailer):
    user = make_user("editor", city="bamberg", email="daily@example.org")
    user.reminders = "daily"
    db.session.commit()
    send(demo_app)
    send(demo_app, TODAY + timedelta(days=1))
    send(demo_app, TODAY + timedelta(days=1))
    assert len(mailer.to("daily@example.org")) == 2


def test_nobody_gets_a_message_with_nothing_in_it(demo_app, mailer):
    quiet = db.session.scalar(
        sa.select(City).where(~City.id.in_(sa.select(Plan.city_id))).order_by(City.id)
    )
    assert quiet is not None
    make_user("editor", city=quiet.slug, email="nothing-to-do@example.org")
    assert digests.city_digest(quiet, TODAY).empty
    send(demo_app)
    assert mailer.to("nothing-to-do@example.org") == []


def test_who_turned_reminders_off_or_unsubscribed_gets_none(demo_app, mailer):
    off = make_user("editor", city="bamberg", email="off@example.org")
    off.reminders = "none"
    clicker = make_user("editor", city="bamberg", email="clicker@example.org")
    db.session.commit()
    send(demo_app)
    assert mailer.to("off@example.org") == []
    (message,) = mailer.to("clicker@example.org")
    link = re.search(r"<(https?://[^>]+)>", message["List-Unsubscribe"]).group(1)
    path = "/" + link.split("/", 3)[3]
    client = demo_app.test_client()
    confirm = client.get(path)
    assert confirm.status_code == 200
    assert "Turn reminders off" in page_text(confirm)
    db.session.refresh(clicker)
    assert clicker.reminders == "weekly"  # a GET (a mail scanner's) changes nothing
    assert client.post(path).status_code == 200  # one click, no session, no form token
    db.session.refresh(clicker)
    assert clicker.reminders == "none"
    send(demo_app, TODAY + timedelta(days=7))
    assert len(mailer.to("clicker@example.org")) == 1
    assert client.get("/auth/reminders-off/forged.token").status_code == 404


def german_editor(email: str) -> None:
    """Bamberg's editor who reads German."""
    make_user("editor", city="bamberg", email=email).language = "de"
    db.session.commit()


def test_a_german_editors_digest_is_in_german(demo_app, mailer):
    german_editor("deutsch-editor@example.org")
    send(demo_app)
    (message,) = mailer.to("deutsch-editor@example.org")
    assert message["Subject"] == "Bamberg: was auf ICC Tracker zu aktualisieren ist"
    assert "Guten Tag" in text_of(message)


def test_leads_get_the_programmes_week(demo_app, mailer):
    make_user("lead", email="weekly-lead@example.org")
    send(demo_app)
    (message,) = mailer.to("weekly-lead@example.org")
    assert "Overdue milestones" in text_of(message)
    assert "/milestones/" in text_of(message)


def test_a_stopped_server_fails_the_run_and_the_next_run_sends_each_message_once(demo_app):
    demo_app.config.update(MAIL_RETRIES=2, MAIL_BACKOFF_SECONDS=0)
    make_user("editor", city="bamberg", email="retry@example.org")
    port = free_port()
    demo_app.config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"  # nothing listens yet
    try:
        failed = send(demo_app)
        assert failed.exit_code != 0
        assert "NOT sent" in failed.output
        assert "could not be sent" in failed.output
        row = db.session.scalar(
            sa.select(OutgoingMail).join(OutgoingMail.user).where(OutgoingMail.kind == "digest")
        )
        assert row.sent_at is None
        assert row.attempts == 2
        with smtp_server(port) as (inbox, _port):
            back = send(demo_app)
            assert back.exit_code == 0, back.output
            again = send(demo_app)
            assert again.exit_code == 0
        assert len(inbox.to("retry@example.org")) == 1
    finally:
        demo_app.config["MAIL_URL"] = None


def test_without_a_mail_server_the_messages_are_files_in_the_outbox(demo_app):
    from pathlib import Path

    make_user("editor", city="bamberg", email="outbox-editor@example.org")
    outbox = Path(demo_app.instance_path) / "outbox"
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    result = send(demo_app)
    assert result.exit_code == 0, result.output
    written = [p.read_text() for p in set(outbox.glob("*.eml")) - before]
    assert any("To: outbox-editor@example.org" in text for text in written)


def test_a_lead_reminds_a_citys_editors_now_with_a_note(demo_app, mailer):
    make_user("editor", city="bamberg", email="nudged@example.org")
    lead = signed_in_client(demo_app, "lead", email="nudger@example.org")
    assert "Remind this city" in page_text(lead.get("/cities/bamberg"))
    assert lead.get("/cities/bamberg/remind").status_code == 200
    response = lead.post("/cities/bamberg/remind", data={"note": "The council meets on Friday."})
    assert response.status_code == 302
    (message,) = mailer.to("nudged@example.org")
    assert "The council meets on Friday." in text_of(message)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "city.remind"))
    assert event is not None
    assert "nudged@example.org" in str(event.after)


def test_only_leads_remind_and_bad_input_stores_nothing(demo_app, mailer):
    make_user("editor", city="bamberg", email="bamberg-only@example.org")
    editor = demo_app.test_client()
    login(editor, "bamberg-only@example.org")
    before = row_counts()
    assert editor.get("/cities/bamberg/remind").status_code == 403
    assert editor.post("/cities/bamberg/remind", data={"note": "x"}).status_code == 403
    assert "Remind this city" not in page_text(editor.get("/cities/bamberg"))
    lead = signed_in_client(demo_app, "lead", email="lead-bad@example.org")
    after_lead = row_counts()
    too_long = lead.post("/cities/bamberg/remind", data={"note": "x" * 5000})
    assert too_long.status_code == 400
    nobody = db.session.scalar(sa.select(City).where(City.slug != "bamberg").order_by(City.id))
    empty = lead.post(f"/cities/{nobody.slug}/remind", data={"note": ""})
    assert empty.status_code == 400
    assert "no active editor" in page_text(empty)
    assert row_counts() == after_lead
    assert mailer.messages == []
    assert set(before) == set(after_lead)


def test_a_city_is_reminded_once_an_hour_and_told_when_it_can_be_again(demo_app, mailer):
    make_user("editor", city="bamberg", email="once-an-hour@example.org")
    lead = signed_in_client(demo_app, "lead", email="eager-lead@example.org")
    assert lead.post("/cities/bamberg/remind", data={"note": "First"}).status_code == 302
    before = row_counts()
    for _ in range(3):
        again = lead.post("/cities/bamberg/remind", data={"note": "Again"})
        assert again.status_code == 429
        assert 3500 < int(again.headers["Retry-After"]) <= 3600
        assert "the next reminder can be sent from" in page_text(again)
    assert row_counts() == before
    assert len(mailer.to("once-an-hour@example.org")) == 1
    # Another city is not held back by this one.
    make_user("editor", city="dortmund", email="dortmund-editor@example.org")
    assert lead.post("/cities/dortmund/remind", data={"note": ""}).status_code == 302


def test_the_reminder_interval_is_a_setting_and_runs_from_the_last_reminder(demo_app, mailer):
    make_user("editor", city="bamberg", email="interval@example.org")
    lead = signed_in_client(demo_app, "lead", email="interval-lead@example.org")
    bamberg = db.session.scalar(sa.select(City).where(City.slug == "bamberg"))
    db.session.add(  # a reminder 61 minutes ago, as the audit trail keeps it
        AuditEvent(
            created_at=datetime.now(UTC) - timedelta(minutes=61),
            actor="interval-lead@example.org",
            verb="city.remind",
            entity_type="city",
            entity_id=str(bamberg.id),
            city_id=bamberg.id,
        )
    )
    db.session.commit()
    assert lead.post("/cities/bamberg/remind", data={"note": ""}).status_code == 302
    demo_app.config["REMIND_INTERVAL_MINUTES"] = 0
    try:
        assert lead.post("/cities/bamberg/remind", data={"note": ""}).status_code == 302
    finally:
        demo_app.config["REMIND_INTERVAL_MINUTES"] = 60
    assert len(mailer.to("interval@example.org")) == 2


def test_each_person_chooses_how_often(demo_app):
    client = demo_app.test_client()
    user = make_user("editor", city="bamberg", email="chooser@example.org")
    login(client, "chooser@example.org")
    assert "Reminders by e-mail" in page_text(client.get("/auth/password"))
    assert client.post("/auth/reminders", data={"reminders": "daily"}).status_code == 302
    db.session.refresh(user)
    assert user.reminders == "daily"
    bad = client.post("/auth/reminders", data={"reminders": "hourly"})
    assert bad.status_code == 400
    assert "Not a valid choice" in page_text(bad)
    db.session.refresh(user)
    assert user.reminders == "daily"


def test_a_mentor_citys_editors_hear_of_their_mentees_that_need_help(demo_app, mailer):
    from tests.web.test_mentees_needing_help import expected

    make_user("editor", city="dortmund", email="mentor-editor@example.org")
    today = date.today()
    send(demo_app, today)
    (message,) = mailer.to("mentor-editor@example.org")
    over = [slug for slug, _points in expected(5, mentor="dortmund")]
    assert over  # the demo data has some
    listed = re.findall(r"/cities/([a-z0-9-]+)", text_of(message))
    assert listed == over  # exactly those, most severe first
    others = {slug for slug, _points in expected(5)} - set(over)
    assert others  # other mentors' mentees need help too, and are not in this message
    assert not others & set(listed)


def test_a_mail_url_of_another_kind_is_refused_clearly(demo_app):
    from tracker import mail

    demo_app.config["MAIL_URL"] = "http://127.0.0.1:25"
    try:
        with pytest.raises(mail.MailError, match="smtp://host:port or smtps://host:port"):
            mail.send(mail.Letter("a@example.org", "s", "t", "<p>t</p>"))
    finally:
        demo_app.config["MAIL_URL"] = None


def test_the_leads_digest_names_the_city_of_every_overdue_milestone(demo_app, mailer):
    make_user("lead", email="cities-lead@example.org")
    send(demo_app)
    (message,) = mailer.to("cities-lead@example.org")
    text = text_of(message)
    listed = text.split("Overdue milestones", 1)[1].split("At risk or delayed", 1)[0]
    lines = [line for line in listed.splitlines() if line.startswith("- ")]
    assert lines
    for line in lines:
        milestone = db.session.get(Milestone, int(re.search(r"/milestones/(\d+)", line)[1]))
        city = milestone.owner_city
        assert f"({city.name}, due " in line if city else "(programme, due " in line


def test_this_week_counts_the_reports_entered_this_week_not_the_seeded_history(demo_app, mailer):
    from tracker.schemas.base import build
    from tracker.schemas.reports import ProgressReport
    from tracker.services import progress

    today = date.today()
    assert digests.programme_digest(today).updates == 0  # the demo history is not news
    editor = make_user("editor", city="bamberg", email="busy-editor@example.org")
    action = db.session.scalars(
        sa.select(Action).join(Action.plan).join(Plan.city).where(City.slug == "bamberg")
    ).first()
    report = build(ProgressReport, status="on_track", percent_complete=50, reported_on=today)
    progress.log_progress(editor, action, report, today=today)
    db.session.commit()
    week = digests.programme_digest(today)
    assert week.updates == 1
    assert week.busiest == [("Bamberg", 1)]
    make_user("lead", email="week-lead@example.org")
    send(demo_app, today)
    (message,) = mailer.to("week-lead@example.org")
    assert "1 progress reports entered" in text_of(message)


def test_a_german_digest_writes_its_dates_and_numbers_in_german(demo_app, mailer):
    german_editor("datum@example.org")
    send(demo_app)
    (message,) = mailer.to("datum@example.org")
    text = text_of(message)
    assert "06.11.2024" in text
    assert "6 Nov 2024" not in text
    assert not re.search(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}", text)


def test_without_a_mail_server_the_command_says_written_not_sent(demo_app):
    make_user("editor", city="bamberg", email="files@example.org")
    result = send(demo_app)
    assert result.exit_code == 0, result.output
    outbox = str(demo_app.instance_path)
    assert re.search(
        rf"\d+ written to {re.escape(outbox)}\S*outbox "
        r"\(not sent: no TRACKER_MAIL_URL\), 0 not sent",
        result.output,
    ), result.output
    assert re.search(r"^\d+ sent", result.output, re.M) is None


def test_with_queue_the_command_records_and_says_queued(demo_app, mailer):
    make_user("editor", city="bamberg", email="queued@example.org")
    result = demo_app.test_cli_runner().invoke(
        args=["reminders", "send", "--today", TODAY.isoformat(), "--queue"]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"^\d+ queued: recorded, to be delivered by a later run", result.output, re.M)
    assert mailer.to("queued@example.org") == []
    row = db.session.scalar(
        sa.select(OutgoingMail).join(OutgoingMail.user).where(OutgoingMail.sent_at.is_(None))
    )
    assert row is not None
    delivered = send(demo_app)
    assert re.search(r"^\d+ sent, 0 not sent", delivered.output, re.M)
    assert len(mailer.to("queued@example.org")) == 1


def open_round(due_on: date) -> int:
    from tracker.schemas.rounds import RoundOpening
    from tracker.services import rounds

    opened = rounds.open_round(
        make_user("lead", email="round-lead@example.org"),
        RoundOpening(
            name="2024 H2",
            period_start=date(2024, 7, 1),
            period_end=date(2024, 12, 31),
            due_on=due_on,
            cities=["bamberg"],
        ),
    )
    db.session.commit()
    return opened.id


@pytest.mark.parametrize(("days", "told"), [(20, True), (-3, True), (45, False)])
def test_a_digest_tells_of_the_open_rounds_due_date_when_it_is_near_or_past(
    demo_app, mailer, days, told
):
    round_id = open_round(TODAY + timedelta(days=days))
    make_user("editor", city="bamberg", email="round-editor@example.org")
    bamberg = db.session.scalars(sa.select(City).where(City.slug == "bamberg")).one()
    items = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Action)
        .join(Action.plan)
        .where(Plan.city_id == bamberg.id)
    )
    assert send(demo_app).exit_code == 0
    (message,) = mailer.to("round-editor@example.org")
    text = text_of(message)
    said = "Reporting round 2024 H2 is due on" in text
    assert said == told
    assert (f"/rounds/{round_id}/cities/bamberg" in text) == told
    if told:
        # nothing was reported in the round yet: every action, indicator and milestone counts
        digest = digests.city_digest(bamberg, TODAY)
        assert digest.round_unreported >= items > 0
        assert f"{digest.round_unreported} of your city's" in text
