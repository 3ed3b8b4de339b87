"""The programme leads' dashboards, on the facts plus the demo data."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import plotly.graph_objects as go
import pytest
import sqlalchemy as sa

from tests.helpers import DASHBOARDS, NEW_PAIR, page_text, snapshot
from tracker import assets
from tracker.extensions import db
from tracker.models import City, Mentorship, Milestone, Plan
from tracker.vocabulary import titled

PAGES = DASHBOARDS


def figures(html: str) -> dict[str, dict]:
    blocks = re.findall(
        r'<script type="application/json" data-chart="([^"]+)">(.*?)</script>', html, re.S
    )
    return {name: json.loads(body) for name, body in blocks}


@pytest.mark.parametrize("url", PAGES)
def test_every_page_redirects_a_signed_out_visitor_and_shows_nothing(demo_app, url):
    response = demo_app.test_client().get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert "Dortmund" not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_with_its_charts_and_loads_nothing_from_other_hosts(viewer, url):
    response = viewer.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name, figure in figures(html).items():
        assert "data" in figure, name
        assert "layout" in figure, name
        # Built as plain data; plotly's schema refuses any unknown or ill-typed property.
        go.Figure(figure)
    # Resources (scripts, styles, images, frames) come from the app itself. Links to the
    # sources of facts are plain anchors and load nothing.
    resources = re.findall(r'<(?:script|img|iframe|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert resources
    assert all(r.startswith("/") and not r.startswith("//") for r in resources), resources
    # No address names a CDN (the page's random tokens are not addresses and may hold "cdn").
    assert not [h for h in re.findall(r"https?://([^/\"'\s<>]+)", html) if "cdn" in h.lower()]


def test_plotly_js_is_served_by_the_app_compressed_under_a_hashed_name(demo_app, viewer):
    url = demo_app.jinja_env.globals["asset_url"]("js/plotly.min.js")
    assert f'data-plotly="{url}"' in viewer.get("/").get_data(as_text=True)
    # The bundle of the app's trace types when npm built it (tests/unit/test_assets.py), else
    # the whole plotly.js.
    small = assets.plotly_js() == assets.PLOTLY_BUNDLE
    sizes = (450_000, 550_000, 1_600_000) if small else (1_200_000, 1_500_000, 6_000_000)
    for encoding, most in zip(("br", "gzip", "identity"), sizes, strict=True):
        response = viewer.get(url, headers={"Accept-Encoding": encoding})
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        assert response.headers.get("Content-Encoding", "identity") == encoding
        assert response.headers["Vary"] == "Accept-Encoding"
        assert "immutable" in response.headers["Cache-Control"]
        assert 300_000 < len(response.data) <= most, encoding
        response.close()
    assert viewer.get("/static/js/plotly.min.000000000000.js").status_code == 404


def test_overview_shows_the_gap_the_target_and_what_needs_attention(viewer):
    html = viewer.get("/").get_data(as_text=True)
    page = page_text(viewer.get("/"))
    assert "55 of 64 core cities registered" in page
    assert "Programme target: 175 signed Local Green Deals." in page
    assert set(figures(html)) == {
        "timeline",
        "lgd-status",
        "action-status",
        "sector-progress",
        "quiet",
    }
    bars = figures(html)["lgd-status"]["data"][0]
    assert bars["type"] == "bar"
    assert bars["y"] == ["Planned", "In preparation", "Signed", "Implementing", "Completed"]
    assert sum(bars["x"]) == 66  # one deal per mentor and core city
    assert "Milestones never recorded as done" in page  # the programme has ended
    assert "At risk or delayed" in page
    assert "No update in 60 days" in page


def test_cohort_lists_every_core_city_against_the_five_steps(viewer):
    html = viewer.get("/cohort").get_data(as_text=True)
    heat = figures(html)["cohort"]["data"][0]
    assert len(heat["y"]) == 55
    assert heat["x"] == [
        "Team set up",
        "Commitments identified",
        "Partners engaged",
        "Deal signed",
        "Implementation under way",
    ]
    by_country = page_text(viewer.get("/cohort?sort=country"))
    assert by_country.index("Sofia") < by_country.index("Bamberg") < by_country.index("Alcoy")
    assert viewer.get("/cohort?sort=mentor").status_code == 200
    assert viewer.get("/cohort?sort=progress").status_code == 200
    for query in ("sort=shoe-size", "state=sleeping", "mentor=atlantis", "country=Atlantis"):
        bad = viewer.get(f"/cohort?{query}")
        assert bad.status_code == 400, query
        assert "Not a valid choice" in page_text(bad), query


def test_cities_filter_sort_and_map(viewer):
    mentors = page_text(viewer.get("/cities?role=mentor"))
    assert "11 cities" in mentors
    assert "Toronto" in mentors
    assert "Bamberg" not in mentors
    german = page_text(viewer.get("/cities?country=DE&sort=name"))
    assert german.index("Bamberg") < german.index("Dortmund") < german.index("Mannheim")
    html = viewer.get("/cities").get_data(as_text=True)
    points = sum(len(t["lon"]) for t in figures(html)["map"]["data"])
    located = db.session.scalar(
        sa.select(sa.func.count()).select_from(City).where(City.latitude.is_not(None))
    )
    assert points == located == 68  # all but the consortia, the region and Saint-Germain
    assert "68 of 73 cities are on the map" in page_text(viewer.get("/cities"))
    energy = page_text(viewer.get("/cities?sector=energy-renewables"))
    assert "Energy and renewables" in energy


@pytest.mark.parametrize(
    "query", ["role=king", "country=Narnia", "sector=mining", "sort=random", "lgd_status=sort-of"]
)
def test_cities_bad_filters_are_a_clear_400(viewer, query):
    response = viewer.get(f"/cities?{query}")
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_milestones_timeline_filters_and_slips(viewer, lead):
    all_rows = page_text(viewer.get("/milestones"))
    assert "Deadline for expressions of interest" in all_rows
    programme_only = page_text(viewer.get("/milestones?state=overdue&city=dortmund"))
    assert "Deadline for expressions of interest" not in programme_only
    bamberg = page_text(viewer.get("/milestones?city=bamberg"))
    assert "Bamberg" in bamberg
    assert "Sofia" not in bamberg
    # A city's own milestones are one chart on its page.
    html = viewer.get("/cities/bamberg").get_data(as_text=True)
    bars = figures(html)["city-milestones"]["data"]
    labels = {title for trace in bars for title in trace["customdata"]}
    assert labels
    with_titles = sa.select(Milestone).join(Milestone.plan).join(Plan.city)
    # A step milestone is called by its step (in the page's language), any other by its title.
    assert labels == {
        titled(m) for m in db.session.scalars(with_titles.where(City.slug == "bamberg"))
    }
    assert viewer.get("/milestones?state=late").status_code == 400
    assert "Moves" in all_rows


def test_a_city_page_shows_the_milestones_of_its_plans_and_of_its_actions_only(viewer):
    """An action's own milestone belongs to the action's city, on that city's page alone."""
    from tracker.models import Action

    def first_action(slug: str) -> Action:
        return db.session.scalars(
            sa.select(Action).join(Action.plan).join(Plan.city).where(City.slug == slug).limit(1)
        ).one()

    for slug, title in (("bamberg", "Bamberg's own action step"), ("sofia", "Sofia's step")):
        db.session.add(
            Milestone(
                slug=f"test/{slug}/action-step",
                action_id=first_action(slug).id,
                title=title,
                planned_on=date(2030, 1, 1),
                due_on=date(2030, 1, 1),
            )
        )
    db.session.commit()
    bars = figures(viewer.get("/cities/bamberg").get_data(as_text=True))["city-milestones"]
    labels = {title for trace in bars["data"] for title in trace["customdata"]}
    assert "Bamberg's own action step" in labels
    assert "Sofia's step" not in labels
    with_titles = sa.select(Milestone).join(Milestone.plan).join(Plan.city)
    assert {titled(m) for m in db.session.scalars(with_titles.where(City.slug == "bamberg"))} < (
        labels
    )


def test_dortmund_page_and_its_climate_programme(viewer):
    city = page_text(viewer.get("/cities/dortmund"))
    assert "Mentor city of Intelligent Cities Challenge 2023-25 since 13 Jul 2023" in city
    assert "Climate emergency programme" in city
    assert "/cities/dortmund/climate" in city
    assert 'class="badge demo"' in city  # the demo deal is labelled
    assert "dortmund.de" in viewer.get("/cities/dortmund").get_data(as_text=True)  # sources
    climate = page_text(viewer.get("/cities/dortmund/climate"))
    for text in (
        "Klima-Sofortprogramm",
        "Measures (4)",
        "Heat-use strategy",
        "Dortmund fund for climate-protection investments",
        "Handlungsprogramm Klima-Luft 2030",
        "Greenhouse gas emissions down 55 %</strong> by 2030",
        "Climate neutrality</strong> by 2035",
        "Klimabeirat",
        "200 kWp",
        "5.6 %",
        "Action fields (6)",
    ):
        assert text in climate, text
    assert viewer.get("/cities/bamberg/climate").status_code == 404
    assert viewer.get("/cities/atlantis").status_code == 404


def test_every_chart_has_a_csv_of_its_table(viewer):
    for url, table in (
        ("/", "timeline"),
        ("/", "lgd-status"),
        ("/cohort", "cohort"),
        ("/mentorships", "mentorships"),
        ("/mentorships", "mentor-load"),
        ("/milestones", "milestones"),
        ("/cities", "cities"),
        ("/cities/dortmund/climate", "figures"),
    ):
        response = viewer.get(f"{url}?format=csv&table={table}")
        assert response.status_code == 200, (url, table)
        assert response.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        assert len(rows) > 1, (url, table)
    assert viewer.get("/?format=csv&table=nope").status_code == 404


def test_csv_cells_that_look_like_formulas_are_neutralised(viewer):
    city = db.session.scalar(sa.select(City).where(City.slug == "bamberg"))
    city.name = '=HYPERLINK("http://evil.example","x")'
    db.session.commit()
    text = viewer.get("/cities?format=csv&table=cities").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    names = [row[0] for row in rows]
    assert '\'=HYPERLINK("http://evil.example","x")' in names
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)


def test_mentorships_page_for_readers_has_no_form(viewer):
    page = page_text(viewer.get("/mentorships"))
    assert "Add a mentorship" not in page
    assert "Load per mentor" in page
    assert "illustrative demo data" in page


def test_leads_add_edit_and_end_mentorships(lead):
    response = lead.post("/mentorships", data={**NEW_PAIR, "focus": "Tourism"})
    assert response.status_code == 302
    pair = db.session.scalars(sa.select(Mentorship).order_by(Mentorship.id.desc())).first()
    assert (pair.mentor.city.slug, pair.mentee.city.slug, pair.is_demo) == (
        "trento",
        "pesaro",
        False,
    )
    response = lead.post(
        f"/mentorships/{pair.id}/edit",
        data={
            "since_on": "2024-04-01",
            "ended_on": "2025-05-31",
            "sector_id": "None",
            "focus": "Tourism",
            "version": pair.version,
        },
    )
    assert response.status_code == 302
    db.session.refresh(pair)
    assert pair.ended_on.isoformat() == "2025-05-31"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"mentor": "dortmund", "mentee": "dortmund"}, "mentee", "cannot mentor itself"),
        ({"mentor": "bamberg", "mentee": "pesaro"}, "mentor", "Not a valid choice"),
        ({"mentor": "dortmund", "mentee": "atlantis"}, "mentee", "No city is called atlantis"),
        (
            {"mentor": "trento", "mentee": "pesaro", "since_on": "2023-01-01"},
            "since_on",
            "joined on",
        ),
        (
            {"mentor": "trento", "mentee": "pesaro", "since_on": "soon"},
            "since_on",
            "Not a valid date",
        ),
    ],
)
def test_mentorship_rules_are_clear_refusals(lead, data, field, message):
    form = {"since_on": "2024-04-01", "sector_id": "None", "focus": "", **data}
    before = snapshot()
    response = lead.post("/mentorships", data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message.lower() in error.lower()
    assert snapshot() == before


def test_a_duplicate_mentorship_is_refused(lead):
    existing = db.session.scalars(sa.select(Mentorship)).first()
    before = snapshot()
    response = lead.post(
        "/mentorships",
        data={
            "mentor": existing.mentor.city.slug,
            "mentee": existing.mentee.city.slug,
            "since_on": "2024-04-01",
            "sector_id": "None",
        },
    )
    assert response.status_code == 400
    assert "already" in page_text(response)
    assert snapshot() == before


def test_readers_cannot_add_mentorships(viewer):
    before = snapshot()
    response = viewer.post(
        "/mentorships", data={"mentor": "trento", "mentee": "pesaro", "since_on": "2024-04-01"}
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_chart_colours_are_defined_once_for_charts_and_the_stylesheet(demo_app):
    from tracker import PROJECT_ROOT
    from tracker.charts import COLOURS

    client = demo_app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    for state in ("done", "on_time", "late"):
        assert f"--chart-{state}: {COLOURS[state]};" in page
    css = (PROJECT_ROOT / "tracker" / "static" / "css" / "app.css").read_text()
    for state in ("done", "on_time", "late"):
        rule = css.split(f".cell-{state} {{", 1)[1].split("}", 1)[0]
        assert f"var(--chart-{state})" in rule
        assert COLOURS[state] not in rule


@pytest.mark.parametrize("url", PAGES)
def test_every_element_id_is_unique_so_each_chart_finds_its_own_place(viewer, url):
    html = viewer.get(url).get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
