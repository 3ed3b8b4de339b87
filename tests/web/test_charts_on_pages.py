"""Charts that never mislead, as the pages serve them: the cities on a real map drawn from
outlines the app serves itself (nothing fetched from elsewhere), every city with coordinates
on it and the others named as a gap; a single value said as a number with its date; a moved
milestone never shows "no moves"."""

from __future__ import annotations

import json
import re
from datetime import date

import sqlalchemy as sa

from tests.factories import make_action, make_indicator, make_plan
from tests.helpers import signed_in_client, visible_text
from tracker.extensions import db
from tracker.models import City, IndicatorValue, Milestone, Participation


def fetched(client, url: str) -> str:
    """A static file's text (its response closed: WhiteNoise hands over an open file)."""
    response = client.get(url)
    try:
        return response.get_data(as_text=True)
    finally:
        response.close()


def chart(html: str, name: str) -> dict:
    found = re.search(rf'data-chart="{name}">(.*?)</script>', html)
    assert found, name
    return json.loads(found.group(1))


def test_every_city_with_coordinates_is_on_the_map_and_the_rest_are_named(viewer, demo_app):
    html = viewer.get("/cities").get_data(as_text=True)
    figure = chart(html, "map")
    on_map = {name for trace in figure["data"] for name in trace["text"]}
    cities = db.session.execute(
        sa.select(City.name, City.latitude).join(Participation, Participation.city_id == City.id)
    ).all()
    assert on_map == {name for name, latitude in cities if latitude is not None}
    missing = sorted(name for name, latitude in cities if latitude is None)
    assert missing  # the consortia, the region, and Saint-Germain
    gap = visible_text(viewer.get("/cities")).split("Not on the map, for want of a place: ")[1]
    for name in missing:
        assert name in gap
    assert f"{len(on_map)} of {len(cities)} cities are on the map" in visible_text(
        viewer.get("/cities")
    )
    assert {t["type"] for t in figure["data"]} == {"scattergeo"}
    assert "Toronto" in {n for t in figure["data"] if t["geo"] == "geo2" for n in t["text"]}


def test_the_map_outlines_and_plotlys_german_come_from_the_app(viewer):
    html = viewer.get("/cities").get_data(as_text=True)
    # charts.js fetches them (and plotly.js) when a chart nears the screen: its tag names them.
    geo = re.search(r'data-geo="(/static/vendor/geo-assets\.[0-9a-f]+\.js)"', html)
    assert geo
    assert re.search(r'<script src="/static/js/charts\.[0-9a-f]+\.js" defer data-plotly=', html)
    outlines = fetched(viewer, geo.group(1))
    assert 'topojson["europe_50m"]' in outlines
    assert 'topojson["north-america_110m"]' in outlines
    assert "https://" not in re.sub(r"//.*", "", outlines.split("\n", 3)[3])[:2000]
    assert "cdn.plot.ly" not in html
    german = viewer.get("/cities", headers={"Accept-Language": "de"}).get_data(as_text=True)
    locale = re.search(r'data-locale="(/static/vendor/plotly-locale-de\.[0-9a-f]+\.js)"', german)
    assert locale
    assert "Graphen als PNG herunterladen" in fetched(viewer, locale.group(1))
    assert "plotly-locale-de" not in html  # English pages need no locale


def test_a_single_value_is_a_number_with_its_date_not_a_chart(app):
    client = signed_in_client(app, "viewer", email="one@example.org")
    indicator = make_indicator(make_action(make_plan("bamberg")))
    db.session.add(
        IndicatorValue(indicator_id=indicator.id, measured_on=date(2024, 3, 12), value=1234.5)
    )
    indicator.target_value = 2000.0
    db.session.commit()
    html = client.get("/cities/bamberg").get_data(as_text=True)
    assert f'data-chart="indicator-{indicator.id}"' not in html
    text = visible_text(client.get("/cities/bamberg"))
    assert "1,234.5\u00a0kWp measured on 12 Mar 2024; target 2,000." in text
    german = visible_text(client.get("/cities/bamberg", headers={"Accept-Language": "de"}))
    assert "1.234,5\u00a0kWp gemessen am 12.03.2024; Ziel 2.000." in german
    db.session.add(
        IndicatorValue(indicator_id=indicator.id, measured_on=date(2024, 6, 1), value=1500.0)
    )
    db.session.commit()
    assert f'data-chart="indicator-{indicator.id}"' in client.get("/cities/bamberg").get_data(
        as_text=True
    )


def test_a_milestone_that_moved_before_the_tracker_says_so(viewer):
    moved = db.session.scalars(
        sa.select(Milestone).where(Milestone.due_on != Milestone.planned_on)
    ).first()
    assert moved is not None
    html = viewer.get("/milestones?moved=1&sort=slip").get_data(as_text=True)
    listing = html.split('id="milestone-list"', 1)[1]
    row = listing.split(f'href="/milestones/{moved.id}"', 1)[1].split("</tr>", 1)[0]
    assert "moved before it was entered here" in row


def test_count_axes_show_whole_numbers_and_slips_are_read_from_zero(viewer):
    overview = viewer.get("/").get_data(as_text=True)
    for name in ("lgd-status", "action-status"):
        axis = chart(overview, name)["layout"]["xaxis"]
        assert axis["tickformat"] == ",d"
        assert axis["dtick"] >= 1
    summary = chart(viewer.get("/milestones").get_data(as_text=True), "milestone-summary")
    assert summary["layout"]["xaxis"]["tickformat"] == ",d"
    assert summary["layout"]["xaxis2"]["rangemode"] == "tozero"
    load = chart(viewer.get("/mentorships").get_data(as_text=True), "mentor-load")
    assert load["layout"]["xaxis"]["tickformat"] == ",d"


def test_row_names_on_the_milestone_summary_are_never_cut(viewer):
    summary = chart(viewer.get("/milestones").get_data(as_text=True), "milestone-summary")
    names = summary["data"][0]["y"]
    assert not any("\u2026" in n for n in names)
    whole = {n.replace("<br>", " ") for n in names}
    assert "Call for expressions of interest opens" in whole
