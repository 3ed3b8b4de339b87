"""Corrections keep the present: a correction takes the place in time of the update it names,
the corrected update stays, marked, and an action's current state is its latest effective
update, the same whether the steps come through the web form, the API or an import."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_action, make_indicator, make_plan, make_user
from tests.helpers import login, page_text, snapshot, upload
from tracker.extensions import db
from tracker.models import Action, AuditEvent, IndicatorValue, ProgressUpdate
from tracker.services import tokens

A_DAY, B_DAY = date(2024, 6, 1), date(2024, 9, 1)
WHY_A, WHY_B = "The June figure counted a roof twice", "September was overstated"


@pytest.fixture
def plan(app):
    return make_plan("bamberg", started_on=date(2023, 9, 1))


@pytest.fixture
def editor(client, plan):
    make_user("editor", city="bamberg")
    login(client, "editor-bamberg@example.org")
    return client


def updates_of(action: Action) -> list[ProgressUpdate]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(ProgressUpdate)
            .where(ProgressUpdate.action_id == action.id)
            .order_by(ProgressUpdate.id)
        )
    )


def state_of(action: Action) -> tuple:
    db.session.expire_all()
    row = db.session.get_one(Action, action.id)
    return row.status, row.percent_complete, row.last_reported_on


def fingerprint(action: Action) -> list[tuple]:
    """The stored rows, with references as positions, so two actions' rows can be compared."""
    rows = updates_of(action)
    position: dict[int | None, int] = {u.id: i for i, u in enumerate(rows)}
    return [
        (
            u.reported_on,
            u.status,
            u.percent_complete,
            u.note,
            position.get(u.corrects_id),
            position.get(u.original_id),
            u.is_effective,
            u.author.email if u.author else None,
        )
        for u in rows
    ]


# The three steps, through each path ---------------------------------------------------------


def by_web(client, action):
    def new(day, percent):
        data = {
            "reported_on": day.isoformat(),
            "status": "on_track",
            "percent_complete": str(percent),
            "note": f"Report of {day.isoformat()}",
            "indicator_id": "None",
        }
        assert client.post(f"/actions/{action.id}/progress", data=data).status_code == 302

    def correct(update, percent, why):
        form = client.get(f"/actions/updates/{update.id}/correct")
        assert form.status_code == 200
        data = {
            "status": "on_track",
            "percent_complete": str(percent),
            "note": why,
            "indicator_id": "None",
        }
        response = client.post(f"/actions/updates/{update.id}/correct", data=data)
        assert response.status_code == 302, page_text(response)

    return new, correct


def by_api(client, action):
    from tracker.models import User

    user = db.session.scalar(sa.select(User).where(User.email == "editor-bamberg@example.org"))
    token = tokens.issue_token(None, user, "test", actor_label="test")
    db.session.commit()
    api = client.application.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def send(body):
        response = api.post(f"/api/v1/actions/{action.id}/progress", json=body, headers=headers)
        assert response.status_code == 201, response.get_json()

    def new(day, percent):
        send(
            {
                "reported_on": day.isoformat(),
                "status": "on_track",
                "percent_complete": percent,
                "note": f"Report of {day.isoformat()}",
            }
        )

    def correct(update, percent, why):
        send(
            {
                "corrects_id": update.id,
                "status": "on_track",
                "percent_complete": percent,
                "note": why,
            }
        )

    return new, correct


def by_import(client, action):
    ref = f"bamberg/{action.plan.slug}/{action.slug}"
    header = ["external_id", "action", "reported_on", "status", "percent_complete", "note"]

    def send(row):
        buffer = io.StringIO()
        csv.writer(buffer).writerows([header, row])
        response = upload(client, "progress", buffer.getvalue().encode())
        assert response.status_code == 302, page_text(response)

    def new(day, percent):
        send([f"sheet-{day}", ref, day, "on_track", percent, f"Report of {day.isoformat()}"])

    def correct(update, percent, why):
        # The spreadsheet's row of that update, edited: the import makes it a correction.
        send([update.external_id, ref, update.reported_on, "on_track", percent, why])

    return new, correct


PATHS = {"web": by_web, "api": by_api, "import": by_import}


def three_steps(client, action, path):
    new, correct = PATHS[path](client, action)
    new(A_DAY, 40)
    new(B_DAY, 60)
    a, b = updates_of(action)
    correct(a, 45, WHY_A)
    assert state_of(action) == ("on_track", 60, B_DAY), "correcting A changed the present"
    correct(b, 55, WHY_B)
    assert state_of(action) == ("on_track", 55, B_DAY)


@pytest.mark.parametrize("path", list(PATHS))
def test_a_correction_keeps_its_place_and_the_present(editor, plan, path):
    action = make_action(plan, slug=f"via-{path}")
    three_steps(editor, action, path)
    a, b, a2, b2 = updates_of(action)
    assert (a2.corrects_id, a2.reported_on, a2.original_id) == (a.id, A_DAY, a.id)
    assert (b2.corrects_id, b2.reported_on, b2.original_id) == (b.id, B_DAY, b.id)
    assert [u.is_effective for u in (a, b, a2, b2)] == [False, False, True, True]
    # The history shows both originals marked, with who, why and a link to the correction.
    html = editor.get(f"/actions/{action.id}").get_data(as_text=True)
    for original, correction, why in ((a, a2, WHY_A), (b, b2, WHY_B)):
        entry = html.split(f'id="update-{original.id}"', 1)[1].split("</li>", 1)[0]
        assert "corrected" in entry
        assert why in entry
        assert f"#update-{correction.id}" in entry
        assert "editor-bamberg@example.org" in entry
    events = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.verb == "progress.correct", AuditEvent.entity_id == str(action.id)
        )
    ).all()
    assert len(events) == 2


def test_the_three_paths_store_the_same_rows_and_the_same_state(editor, plan):
    actions = {path: make_action(plan, slug=f"same-{path}") for path in PATHS}
    for path, action in actions.items():
        three_steps(editor, action, path)
    prints = {path: fingerprint(action) for path, action in actions.items()}
    assert prints["web"] == prints["api"] == prints["import"]
    states = {state_of(action) for action in actions.values()}
    assert states == {("on_track", 55, B_DAY)}


def test_corrections_of_corrections_and_a_late_arriving_early_update(editor, plan):
    action = make_action(plan)
    new, correct = by_web(editor, action)
    new(B_DAY, 60)
    new(A_DAY, 40)  # arrives after, reported before: the present stays B's
    assert state_of(action) == ("on_track", 60, B_DAY)
    b = updates_of(action)[0]
    correct(b, 50, "first fix")
    b2 = updates_of(action)[-1]
    correct(b2, 52, "second fix")
    assert state_of(action) == ("on_track", 52, B_DAY)
    b3 = updates_of(action)[-1]
    assert (b3.corrects_id, b3.original_id) == (b2.id, b.id)


def test_the_correction_form_is_prefilled_and_shows_the_date_it_keeps(editor, plan):
    action, _indicator = measured_report(editor, plan, "at_risk")
    update = updates_of(action)[0]
    html = editor.get(f"/actions/updates/{update.id}/correct").get_data(as_text=True)
    assert 'value="at_risk" selected' in html or 'selected value="at_risk"' in html
    assert 'name="percent_complete"' in html
    assert 'value="40"' in html
    assert 'value="120.0"' in html or 'value="120"' in html
    assert "1 Jun 2024" in html
    assert 'name="reported_on"' not in html


def measured_report(editor, plan, status: str):
    """A new action and indicator, and a report of 40 % with the indicator at 120 on 1 June."""
    action = make_action(plan)
    indicator = make_indicator(action)
    editor.post(
        f"/actions/{action.id}/progress",
        data={
            "reported_on": "2024-06-01",
            "status": status,
            "percent_complete": "40",
            "indicator_id": str(indicator.id),
            "indicator_value": "120",
        },
    )
    return action, indicator


BAD_CORRECTIONS = [
    ({"note": ""}, "note", "This field is required"),
    ({"percent_complete": "101"}, "percent_complete", "from 0 to 100"),
    ({"status": "done", "percent_complete": "90"}, "percent_complete", "100 percent"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_CORRECTIONS)
def test_a_bad_correction_stores_nothing(editor, plan, overrides, field, message):
    action = make_action(plan)
    new, _correct = by_web(editor, action)
    new(A_DAY, 40)
    update = updates_of(action)[0]
    before = snapshot()
    data = {
        "status": "on_track",
        "percent_complete": "45",
        "note": "why",
        "indicator_id": "None",
        **overrides,
    }
    response = editor.post(f"/actions/updates/{update.id}/correct", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html
    assert snapshot() == before


def test_an_update_is_corrected_once_then_its_correction_is(editor, plan):
    action = make_action(plan)
    new, correct = by_web(editor, action)
    new(A_DAY, 40)
    a = updates_of(action)[0]
    correct(a, 45, "fix")
    before = snapshot()
    response = editor.post(
        f"/actions/updates/{a.id}/correct",
        data={"status": "on_track", "percent_complete": "46", "note": "again", "indicator_id": ""},
    )
    assert response.status_code == 400
    assert "correct the correction instead" in page_text(response)
    assert snapshot() == before


def test_a_correction_through_the_api_keeps_the_date_or_is_refused(editor, plan):
    action = make_action(plan)
    new, _correct = by_api(editor, action)
    new(A_DAY, 40)
    a = updates_of(action)[0]
    api = editor.application.test_client()
    from tracker.models import User

    user = db.session.scalar(sa.select(User).where(User.email == "editor-bamberg@example.org"))
    headers = {"Authorization": f"Bearer {tokens.issue_token(None, user, 'x', actor_label='t')}"}
    db.session.commit()
    before = snapshot()
    for body, field in (
        ({"reported_on": "2024-07-01", "note": "why"}, "reported_on"),
        ({}, "note"),
    ):
        response = api.post(
            f"/api/v1/actions/{action.id}/progress",
            json={"corrects_id": a.id, "status": "on_track", "percent_complete": 41, **body},
            headers=headers,
        )
        # A date other than the corrected one conflicts with what is stored (409); a missing
        # reason breaks the document's rule (422).
        assert response.status_code == {"reported_on": 409, "note": 422}[field]
        assert field in str(response.get_json())
    assert snapshot() == before
    response = api.post(
        f"/api/v1/actions/{action.id}/progress",
        json={"status": "on_track", "percent_complete": 41},
        headers=headers,
    )
    assert response.status_code == 422
    assert "reported_on" in str(response.get_json())


def test_an_indicator_value_is_corrected_with_its_update(editor, plan):
    action, indicator = measured_report(editor, plan, "on_track")
    a = updates_of(action)[0]
    editor.post(
        f"/actions/updates/{a.id}/correct",
        data={
            "status": "on_track",
            "percent_complete": "40",
            "note": "The meter read 102",
            "indicator_id": str(indicator.id),
            "indicator_value": "102",
        },
    )
    db.session.expire_all()
    shown = [(v.measured_on, v.value) for v in db.session.get(type(indicator), indicator.id).values]
    assert shown == [(date(2024, 6, 1), 102.0)]
    stored = db.session.scalars(
        sa.select(IndicatorValue.value)
        .where(IndicatorValue.indicator_id == indicator.id)
        .order_by(IndicatorValue.id)
    ).all()
    assert stored == [120.0, 102.0]  # the corrected value is kept, only no longer shown
    api_values = editor.get(f"/api/v1/indicators/{indicator.id}/values").get_json()
    assert [v["value"] for v in api_values["items"]] == [102.0]


def test_the_action_page_charts_percent_over_time_with_corrections_marked(editor, plan):
    from tests.web.test_dashboards import figures

    action = make_action(plan)
    new, correct = by_web(editor, action)
    new(A_DAY, 40)
    new(B_DAY, 60)
    first = updates_of(action)[0]
    correct(first, 35, WHY_A)
    response = editor.get(f"/actions/{action.id}")
    chart = figures(response.get_data(as_text=True))["percent"]
    line, corrections, corrected = chart["data"]
    assert line["x"] == [A_DAY.isoformat(), B_DAY.isoformat()]
    assert line["y"] == [35, 60]  # the correction counts in place of the 40
    assert corrections["y"] == [35]
    assert corrected["y"] == [40]
    assert corrected["x"] == [A_DAY.isoformat()]
    csv_text = editor.get(f"/actions/{action.id}?format=csv&table=percent").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert rows[0] == ["reported on", "percent complete", "kind"]
    assert sorted(r[1:] for r in rows[1:]) == [
        ["35", "correction"],
        ["40", "corrected"],
        ["60", "report"],
    ]
    assert editor.get(f"/actions/{action.id}?format=csv&table=nope").status_code == 404


def test_an_action_without_reports_draws_no_percent_chart(editor, plan):
    action = make_action(plan)
    html = editor.get(f"/actions/{action.id}").get_data(as_text=True)
    assert 'data-chart="percent"' not in html
    assert "plotly" not in html
