"""Exports and imports: every format neutralises formulas, export then import changes nothing,
an edited file changes exactly its edited rows, one bad row changes nothing and is named."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from tests.helpers import signed_in_client, snapshot, upload
from tracker.extensions import db
from tracker.models.audit import AuditEvent, ImportBatch
from tracker.models.city import City, Mentorship
from tracker.models.plan import Action, Partner
from tracker.models.programme import Milestone
from tracker.models.progress import ProgressUpdate
from tracker.queries.exports import EXPORTS

KINDS = list(EXPORTS)


@pytest.fixture
def lead(demo_app):
    return signed_in_client(demo_app, "lead", email="porter@example.org")


def csv_of(rows: list[list[str]]) -> bytes:
    """Rows written back as a CSV file, as a spreadsheet saves them."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def rows_of(response) -> list[list[str]]:
    response.get_data()
    response.close()  # as a WSGI server does: the spooled XLSX file is closed with the response
    if response.mimetype == "text/csv":
        return list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def fetch(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    content = response.get_data()
    response.close()
    return content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_export_in_both_formats(lead, kind, fmt):
    response = lead.get(f"/exports/{kind}.{fmt}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0] == list(EXPORTS[kind].columns)
    assert len(rows) > 1


def test_csv_exports_stream(lead):
    response = lead.get("/exports/progress.csv")
    assert response.is_streamed
    assert len(rows_of(response)) > 1000


def test_exports_filter_like_the_pages(lead):
    dortmund = rows_of(lead.get("/exports/actions.csv?city=dortmund"))
    assert {row[0].split("/")[0] for row in dortmund[1:]} == {"dortmund"}
    mentors = rows_of(lead.get("/exports/cities.csv?role=mentor"))
    assert len(mentors) == 12
    assert lead.get("/exports/cities.csv?role=king").status_code == 400
    assert lead.get("/exports/cities.csv?colour=red").status_code == 400
    assert lead.get("/exports/budgets.csv").status_code == 404
    assert lead.get("/exports/cities.pdf").status_code == 404


def test_exports_need_a_signed_in_user(demo_app):
    response = demo_app.test_client().get("/exports/cities.csv")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


PAYLOADS = ['=HYPERLINK("http://evil.example")', "+1+cmd", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", KINDS)
def test_formula_injection_is_neutralised_in_every_export(lead, kind, fmt):
    city = db.session.scalar(sa.select(City).where(City.slug == "bamberg"))
    city.name, city.local_name = PAYLOADS[0], PAYLOADS[1]
    db.session.scalars(sa.select(Mentorship)).first().focus = PAYLOADS[2]
    action = db.session.scalar(
        sa.select(Action).join(Action.plan).where(Action.plan.has(city_id=city.id))
    )
    action.title, action.lead_organisation = PAYLOADS[3], PAYLOADS[5]
    costed = db.session.scalars(sa.select(Action).where(Action.costs.any())).first()
    costed.title = PAYLOADS[3]
    db.session.scalars(sa.select(Partner)).first().commitment = PAYLOADS[4]
    db.session.scalars(sa.select(ProgressUpdate)).first().note = PAYLOADS[0]
    db.session.scalars(sa.select(Milestone)).first().title = PAYLOADS[0]
    db.session.commit()
    response = lead.get(f"/exports/{kind}.{fmt}")
    # Numbers (a negative longitude) are numbers, not formulas; every text cell is checked.
    cells = [c for row in rows_of(response) for c in row if isinstance(c, str) and not is_number(c)]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    found = [c for c in cells if c.lstrip("'") in PAYLOADS]
    assert found
    assert all(c.startswith("'") for c in found)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["progress", "actions", "partners", "costs"])
def test_export_then_import_changes_nothing(lead, kind, fmt):
    exported = fetch(lead, f"/exports/{kind}.{fmt}?city=bamberg")
    before = snapshot()
    response = upload(lead, kind, exported, f"bamberg.{fmt}", apply=False)
    assert response.status_code == 200, response.get_data(as_text=True)[-3000:]
    text = response.get_data(as_text=True)
    assert "0 to create, 0 to update" in text
    db.session.expire_all()
    after = snapshot()
    after.pop("import_batches"), before.pop("import_batches")
    assert after == before


def test_an_edited_actions_file_changes_exactly_the_edited_rows(lead):
    rows = rows_of(lead.get("/exports/actions.csv?city=bamberg"))
    header, first = rows[0], rows[1]
    first[header.index("title")] = "Renamed by spreadsheet"
    content = csv_of(rows)
    before = {a.id: (a.title, a.version) for a in db.session.scalars(sa.select(Action))}
    response = upload(lead, "actions", content)
    assert response.status_code == 302
    db.session.expire_all()
    after = {a.id: (a.title, a.version) for a in db.session.scalars(sa.select(Action))}
    changed = {i for i in after if after[i] != before[i]}
    assert len(changed) == 1
    assert after[changed.pop()][0] == "Renamed by spreadsheet"


def test_an_edited_progress_row_becomes_one_correction_and_reimporting_adds_nothing(lead):
    rows = rows_of(lead.get("/exports/progress.csv?city=bamberg"))
    header = rows[0]
    rows[1][header.index("percent_complete")] = "99"
    rows[1][header.index("status")] = "on_track"
    content = csv_of(rows)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate))
    assert upload(lead, "progress", content).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate)) == count + 1
    correction = db.session.scalars(
        sa.select(ProgressUpdate).order_by(ProgressUpdate.id.desc())
    ).first()
    assert correction.corrects.external_id is None
    assert correction.percent_complete == 99
    assert f"update-{correction.corrects_id}" == rows[1][0]
    assert upload(lead, "progress", content).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate)) == count + 1


def test_new_rows_are_created_once(lead):
    action = rows_of(lead.get("/exports/actions.csv?city=bamberg"))[1][0]
    content = (
        "external_id,action,reported_on,status,percent_complete,note\n"
        f"bamberg-2024-q3,{action},2024-09-30,at_risk,55,From the city's own sheet\n"
    ).encode()
    assert upload(lead, "progress", content).status_code == 302
    created = db.session.scalar(
        sa.select(ProgressUpdate).where(ProgressUpdate.external_id == "bamberg-2024-q3")
    )
    assert created.note == "From the city's own sheet"
    before = snapshot()
    preview = upload(lead, "progress", content, apply=False)
    assert "0 to create, 0 to update, 1 unchanged" in preview.get_data(as_text=True)
    after = snapshot()
    after.pop("import_batches"), before.pop("import_batches")
    assert after == before


def test_one_bad_row_rejects_the_file_and_names_every_bad_row(lead):
    rows = rows_of(lead.get("/exports/progress.csv?city=bamberg"))
    header = rows[0]
    rows[2][header.index("percent_complete")] = "150"
    rows[4][header.index("reported_on")] = "yesterday"
    content = csv_of(rows)
    before = snapshot()
    response = upload(lead, "progress", content)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<td>3</td><td>percent_complete</td>" in html
    assert "<td>5</td><td>reported_on</td>" in html
    assert "from 0 to 100" in html
    assert "must be a date, YYYY-MM-DD" in html
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("../../etc/data.csv", b"external_id\n", "not a path"),
        ("data.txt", b"external_id\n", ".csv or .xlsx"),
        ("data.csv", b"external_id\x00,\xff\n", "not text"),
        ("data.xlsx", b"not a zip", "not a spreadsheet"),
        ("data.csv", b"x" * 10_241, "larger than 10 KB"),
        ("data.csv", b"", "required"),
    ],
)
def test_unsafe_or_wrong_files_are_refused(lead, demo_app, name, content, message):
    demo_app.config["IMPORT_MAX_BYTES"] = 10_240
    before = snapshot()
    response = upload(lead, "progress", content, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert snapshot() == before


def test_unknown_and_missing_columns_are_named(lead):
    response = upload(lead, "partners", b"external_id,plan,colour\nx,bamberg/lgd,red\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "colour" in html
    assert "unknown column" in html
    assert "missing column" in html


def test_an_editor_imports_only_their_own_city(demo_app):
    client = signed_in_client(demo_app, "editor", city="bamberg", email="ed@example.org")
    rows = rows_of(client.get("/exports/partners.csv?city=heidelberg"))
    rows[1][rows[0].index("commitment")] = "Changed by the wrong city"
    content = csv_of(rows)
    before = snapshot()
    response = upload(client, "partners", content)
    assert response.status_code == 400
    assert "Only this city" in response.get_data(as_text=True)
    assert snapshot() == before


def test_viewers_cannot_import_and_nobody_applies_anothers_upload(demo_app, lead):
    viewer = signed_in_client(demo_app, "viewer", email="v@example.org")
    assert viewer.get("/import").status_code == 403
    content = fetch(lead, "/exports/partners.csv?city=bamberg")
    assert upload(lead, "partners", content, apply=False).status_code == 200
    batch = db.session.scalars(sa.select(ImportBatch)).first()
    other = signed_in_client(demo_app, "lead", email="other-lead@example.org")
    assert other.post(f"/import/{batch.id}/apply").status_code == 403


def test_xlsx_imports_dates_and_numbers_as_typed(lead):
    action = rows_of(lead.get("/exports/actions.csv?city=bamberg"))[1][0]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["external_id", "action", "reported_on", "status", "percent_complete"])
    sheet.append(["xlsx-row-1", action, date(2024, 5, 2), "on_track", 35])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert upload(lead, "progress", buffer.getvalue(), "sheet.xlsx").status_code == 302
    row = db.session.scalar(
        sa.select(ProgressUpdate).where(ProgressUpdate.external_id == "xlsx-row-1")
    )
    assert (row.reported_on, row.percent_complete) == (date(2024, 5, 2), 35)


def test_the_cli_imports_and_reports_bad_rows(demo_app, tmp_path, lead):
    runner = demo_app.test_cli_runner()
    path = tmp_path / "partners.csv"
    path.write_bytes(fetch(lead, "/exports/partners.csv?city=bamberg"))
    result = runner.invoke(args=["import", "partners", str(path), "--user", "porter@example.org"])
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated" in result.output
    path.write_text("external_id,plan,name,kind\nnew-1,bamberg/lgd,Bamberg Bakers,bakery\n")
    before = snapshot()
    result = runner.invoke(args=["import", "partners", str(path), "--user", "porter@example.org"])
    assert result.exit_code == 1
    assert "line 2, column kind" in result.output
    assert snapshot() == before
    assert (
        runner.invoke(
            args=["import", "partners", str(path), "--user", "ghost@example.org"]
        ).exit_code
        == 2
    )


def test_the_cli_import_without_user_acts_as_the_operator(demo_app, tmp_path, lead):
    action = rows_of(lead.get("/exports/actions.csv?city=bamberg"))[1][0]
    path = tmp_path / "progress.csv"
    path.write_text(
        "external_id,action,reported_on,status,percent_complete\n"
        f"ops-1,{action},2024-06-30,on_track,60\n"
    )
    result = demo_app.test_cli_runner().invoke(args=["import", "progress", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    update = db.session.scalar(
        sa.select(ProgressUpdate).where(ProgressUpdate.external_id == "ops-1")
    )
    assert update.author_id is None
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.verb, event.actor, event.user_id) == ("progress.log", "cli", None)
