"""The Covenant of Mayors workbook and the CDP table of a city: their columns are the ones
docs/crosswalk.md lists, in its order; formulas are neutralised; a closed round's file is what
the round froze; the API gives the same file with a token; the readiness page says what each
framework still needs."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import make_user
from tests.helpers import page_text, signed_in_client
from tracker.extensions import db
from tracker.models import Action, City
from tracker.queries.frameworks import CDP_COLUMNS, COVENANT_COLUMNS
from tracker.schemas.rounds import RoundOpening
from tracker.services import rounds, tokens
from tracker.services.accounts import CommandLineActor

CROSSWALK = Path(__file__).resolve().parents[2] / "docs" / "crosswalk.md"


def documented(heading: str) -> list[str]:
    """The Column cells of the numbered table under `heading` in docs/crosswalk.md."""
    text = CROSSWALK.read_text(encoding="utf-8")
    section = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| \d+ \| ([^|]+?) \|", section, re.M)


def fetch(client, url: str, **kwargs):
    response = client.get(url, **kwargs)
    data = response.get_data()
    response.close()
    return response, data


def sheet_rows(data: bytes) -> tuple[list[str], list[list]]:
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Mitigation actions"]
    rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    assert all(c.data_type != "f" for row in workbook.worksheets[0].iter_rows() for c in row)
    return rows[0], rows[1:]


@pytest.fixture
def lead(demo_app):
    return signed_in_client(demo_app, "lead")


def bamberg_actions() -> int:
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(Action)
        .join(Action.plan)
        .join(City)
        .where(City.slug == "bamberg")
    ).scalar_one()


def solar(city: str = "bamberg") -> Action:
    """The demo action with the Covenant fields filled in (its template has them)."""
    return db.session.scalars(
        sa.select(Action)
        .join(Action.plan)
        .join(City)
        .where(City.slug == city, Action.com_area == "photovoltaics")
    ).one()


def test_the_covenant_workbook_has_the_documented_columns_and_a_row_per_action(lead):
    assert list(COVENANT_COLUMNS) == documented("Covenant of Mayors: the mitigation actions sheet")
    response, data = fetch(lead, "/exports/cities/bamberg/covenant.xlsx")
    assert response.status_code == 200
    header, rows = sheet_rows(data)
    assert header == documented("Covenant of Mayors: the mitigation actions sheet")
    count = bamberg_actions()
    assert len(rows) == count
    action = solar()
    (row,) = [r for r in rows if r[0] == action.title]
    named = dict(zip(header, row, strict=True))
    assert named["Area of intervention"] == "Photovoltaics"
    assert named["Estimated GHG emissions reduction (tCO2e/a)"] == action.ghg_estimated_t
    assert named["Implementation cost (EUR)"] == sum(c.planned_eur for c in action.costs)
    expected = {"done": "Completed", None: None}.get(action.status, "Ongoing")
    assert named["Implementation status"] == expected


def test_the_cdp_table_has_the_documented_columns(lead):
    assert list(CDP_COLUMNS) == documented("CDP-ICLEI Track: the mitigation actions table")
    response, data = fetch(lead, "/exports/cities/bamberg/cdp.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows[0] == documented("CDP-ICLEI Track: the mitigation actions table")
    action = solar()
    (row,) = [r for r in rows if r[0] == action.title]
    assert (
        dict(zip(rows[0], row, strict=True))["Majority funding source"] == "The city's own budget"
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("framework", ["covenant", "cdp"])
def test_formulas_are_neutralised(lead, framework, fmt):
    action = solar()
    action.title, action.description = '=HYPERLINK("http://x")', "+1+1"
    db.session.commit()
    _response, data = fetch(lead, f"/exports/cities/bamberg/{framework}.{fmt}")
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode())))
    else:
        rows = [
            [str(c) for c in r if c is not None]
            for r in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)
        ]
    cells = [c for row in rows for c in row]
    assert '\'=HYPERLINK("http://x")' in cells
    assert "'+1+1" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)


def test_a_closed_rounds_file_is_what_the_round_froze(lead):
    opened = rounds.open_round(
        make_user("lead", email="round-lead@example.org"),
        RoundOpening(
            name="2025",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            due_on=date(2026, 1, 31),
            cities=["bamberg"],
        ),
    )
    rounds.close_round(CommandLineActor(), opened)
    db.session.commit()
    action = solar()
    frozen = action.ghg_estimated_t
    action.ghg_estimated_t = frozen + 1000
    db.session.commit()
    column = "Estimated GHG emissions reduction (tCO2e/a)"

    def value(url: str):
        header, rows = sheet_rows(fetch(lead, url)[1])
        (row,) = [r for r in rows if r[0] == action.title]
        return dict(zip(header, row, strict=True))[column]

    assert value(f"/exports/cities/bamberg/covenant.xlsx?round={opened.id}") == frozen
    assert value("/exports/cities/bamberg/covenant.xlsx") == frozen + 1000
    for bad in ("abc", str(opened.id + 99)):
        assert lead.get(f"/exports/cities/bamberg/covenant.xlsx?round={bad}").status_code == 400
    assert lead.get(f"/exports/cities/dortmund/cdp.csv?round={opened.id}").status_code == 400
    assert lead.get("/exports/cities/bamberg/cdp.csv?city=x").status_code == 400


def test_the_api_gives_the_same_file_with_a_token(demo_app, lead):
    user = make_user("viewer", email="file-reader@example.org")
    token = tokens.issue_token(None, user, "test", actor_label="test")
    db.session.commit()
    api = demo_app.test_client()
    response, data = fetch(
        api, "/api/v1/cities/bamberg/cdp.csv", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert data == fetch(lead, "/exports/cities/bamberg/cdp.csv")[1]
    assert api.get("/api/v1/cities/bamberg/cdp.csv").status_code == 401
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/cities/bamberg/gri.csv", headers=headers).status_code == 404
    assert api.get("/api/v1/cities/atlantis/cdp.csv", headers=headers).status_code == 404
    assert demo_app.test_client().get("/exports/cities/bamberg/cdp.csv").status_code == 302


def test_the_readiness_page_says_what_each_framework_still_needs(lead):
    action = solar()
    text = page_text(lead.get("/cities/bamberg/readiness"))
    actions = bamberg_actions()
    assert f"Covenant of Mayors: 1 of {actions} actions ready" in text
    action.com_instrument = None
    db.session.commit()
    text = page_text(lead.get("/cities/bamberg/readiness"))
    assert f"Covenant of Mayors: 0 of {actions} actions ready" in text
    assert f"CDP-ICLEI Track: 1 of {actions} actions ready" in text
    assert "needs: policy instrument" in text
