"""The Covenant of Mayors and CDP fields of an action: edited by the city's editors with every
rule checked (a bad value is refused beside its field and nothing is stored), costs per year,
in the API with the status as each framework words it, and a round trip through the exports
and imports that changes nothing; bad rows are named and nothing is stored."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from tests.factories import make_action, make_plan
from tests.helpers import page_text, row_counts, signed_in_client, snapshot, upload
from tracker.extensions import db
from tracker.models import Action, ActionCost

GOOD = {
    "title": "Solar on schools",
    "sector_id": "None",
    "theme_id": "None",
    "com_sector": "local_electricity",
    "com_area": "photovoltaics",
    "com_instrument": "public_procurement",
    "origin": "local_authority",
    "start_year": "2024",
    "end_year": "2027",
    "renewables_estimated_mwh": "720",
    "renewables_achieved_mwh": "180.5",
    "ghg_estimated_t": "290",
    "ghg_achieved_t": "72.5",
}


@pytest.fixture
def action(app):
    return make_action(make_plan("bamberg"))


@pytest.fixture
def editor(app):
    return signed_in_client(app, "editor", city="bamberg")


def edit(client, action, **change):
    page = client.get(f"/actions/{action.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    return client.post(f"/actions/{action.id}/edit", data={**GOOD, "version": version, **change})


def fetch(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    content = response.get_data()
    response.close()  # as a server does: an XLSX export is a spooled file closed with it
    return content


def errors(response) -> list[str]:
    return re.findall(r'class="field-error" id="([^"]+)-error"', response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"com_area": "electric_vehicles"}, "com_area"),  # not an area of this sector
        ({"com_sector": "harbour"}, "com_sector"),
        ({"end_year": "2020"}, "end_year"),
        ({"start_year": "1850"}, "start_year"),
        ({"ghg_estimated_t": "-3"}, "ghg_estimated_t"),
        ({"renewables_estimated_mwh": "7,20.0"}, "renewables_estimated_mwh"),
    ],
)
def test_a_bad_framework_value_is_refused_beside_its_field(action, editor, change, field):
    before = snapshot()
    response = edit(editor, action, **change)
    assert response.status_code == 400
    assert errors(response) == [field]
    assert snapshot() == before


def test_the_fields_are_stored_shown_and_in_the_api_with_each_frameworks_status(
    app, action, editor
):
    assert edit(editor, action).status_code == 302
    db.session.expire_all()
    stored = db.session.get(Action, action.id)
    assert (stored.com_area, stored.end_year, stored.ghg_achieved_t) == (
        "photovoltaics",
        2027,
        72.5,
    )
    page = editor.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Photovoltaics" in page
    assert "Public procurement" in page
    from tracker.services import progress
    from tracker.services.accounts import CommandLineActor

    report = progress.ProgressReport(
        reported_on=stored.plan.started_on, status="at_risk", percent_complete=20
    )
    progress.log_progress(CommandLineActor(), stored, report, today=stored.plan.started_on)
    db.session.commit()
    record = editor.get(f"/api/v1/actions/{action.id}").json
    assert record["com_sector"] == "local_electricity"
    assert (record["covenant_status"], record["cdp_status"]) == ("Ongoing", "Implementation")
    assert "Covenant: Ongoing · CDP: Implementation" in page_text(
        editor.get(f"/actions/{action.id}")
    )


def test_costs_per_year_are_set_changed_and_removed_by_the_citys_editors(app, action, editor):
    url = f"/actions/{action.id}/costs"
    cost = {"year": "2025", "funding_source": "eu", "planned_eur": "400000", "spent_eur": ""}
    assert editor.post(url, data=cost).status_code == 302
    assert editor.post(url, data={**cost, "spent_eur": "125000"}).status_code == 302
    stored = db.session.scalars(sa.select(ActionCost)).one()
    assert (stored.year, stored.planned_eur, stored.spent_eur) == (2025, 400000, 125000)
    counts = row_counts()
    other = signed_in_client(app, "editor", city="dortmund")
    counts = row_counts()
    assert other.post(url, data=cost).status_code == 403
    for bad in ({"year": "1850"}, {"planned_eur": "-1"}, {"funding_source": "lottery"}):
        response = editor.post(url, data={**cost, **bad})
        assert response.status_code == 400, bad
        assert row_counts() == counts
    assert editor.post(url, data={**cost, "planned_eur": "", "spent_eur": ""}).status_code == 302
    assert db.session.scalars(sa.select(ActionCost)).all() == []


def test_export_import_export_gives_the_same_file(app, action, editor):
    # (XLSX files read back unchanged too: test_exports_imports.py previews each kind's.)
    fmt = "csv"
    lead = signed_in_client(app, "lead")
    assert edit(editor, action).status_code == 302
    for source, planned in (("own", "250000,5"), ("eu", "150000")):
        data = {"year": "2025", "funding_source": source, "planned_eur": planned.replace(",", "")}
        assert editor.post(f"/actions/{action.id}/costs", data=data).status_code == 302
    files = {
        k: lead.get(f"/exports/{k}.{fmt}?city=bamberg").get_data() for k in ("actions", "costs")
    }
    before = snapshot()
    for kind, content in files.items():
        preview = upload(lead, kind, content, f"bamberg.{fmt}", apply=False)
        assert "0 to create, 0 to update" in preview.get_data(as_text=True), kind
        assert upload(lead, kind, content, f"bamberg.{fmt}").status_code == 302
    db.session.expire_all()
    assert {k: v for k, v in snapshot().items() if k not in ("audit_events", "import_batches")} == {
        k: v for k, v in before.items() if k not in ("audit_events", "import_batches")
    }
    again = {k: fetch(lead, f"/exports/{k}.{fmt}?city=bamberg") for k in files}
    assert again == files
    header = next(csv.reader(io.StringIO(files["actions"].decode())))
    assert {"com_sector", "ghg_achieved_t", "end_year"} <= set(header)


def test_an_import_with_bad_framework_values_names_each_row_and_stores_nothing(lead_and_file):
    lead, content = lead_and_file
    before = snapshot()
    response = upload(lead, "actions", content, "bad.csv", apply=False)
    text = response.get_data(as_text=True)
    assert response.status_code == 400, text[-3000:]
    shown = page_text(response)
    assert "<td>2</td><td>com_area</td><td>That area of intervention does not" in shown
    assert "<td>3</td><td>end_year</td><td>The end year cannot be before" in shown
    assert snapshot() == before


@pytest.fixture
def lead_and_file(app, action):
    lead = signed_in_client(app, "lead")
    rows = list(
        csv.reader(
            io.StringIO(lead.get("/exports/actions.csv?city=bamberg").get_data(as_text=True))
        )
    )
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    second = {**first, "external_id": first["external_id"] + "-2", "title": "Second"}
    first.update(com_sector="transport", com_area="photovoltaics")
    second.update(start_year="2030", end_year="2025")
    out = io.StringIO()
    writer = csv.DictWriter(out, header)
    writer.writeheader()
    writer.writerows([first, second])
    return lead, out.getvalue().encode()
