"""Counts and averages that say their base: nothing published reads as "not published yet",
never as 0; the programme's own published figures stand beside the tracker's counts, each in a
sentence with its source; every average says how many items it averages and how many have no
figure yet, on signed-in and public pages, in charts and tables."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from tests.factories import make_action, make_plan
from tests.helpers import signed_in_client, visible_text
from tracker.extensions import db
from tracker.models import Action, Plan, Sector

ICLEI = "https://iclei-europe.org/news/?newsID=YsHN2y3f"
PESCARA = "https://www.pescaranews.net/notizie/ambiente/36782/masci-portogallo-intelligent-cities-challenge"


@pytest.fixture
def public(app):
    app.config["PUBLIC_PAGES"] = True
    yield app.test_client()
    app.config["PUBLIC_PAGES"] = False


@pytest.fixture
def viewer(app):
    return signed_in_client(app, "viewer", email="reader@example.org")


def sentence(html: str, element_id: str) -> str:
    """The paragraph with this id, its markup kept (to see the source link inside it)."""
    found = re.search(rf'<p class="reported" id="{element_id}">(.*?)</p>', html, re.S)
    assert found, f"no sentence #{element_id}"
    return found.group(1)


def test_with_no_published_status_the_public_overview_says_so_and_gives_the_programme_figures(
    public,
):
    # Only Pescara's deal is a sourced fact; take its status away: nothing is published.
    for plan in db.session.scalars(sa.select(Plan).where(Plan.kind == "local_green_deal")):
        plan.status = None
    db.session.commit()
    html = public.get("/public/").get_data(as_text=True)
    text = visible_text(public.get("/public/"))
    assert "No deal status published yet." in text
    assert not re.search(r"\b0\s+of\s+175\b", text)
    assert not re.search(r'class="big">\s*0\b', html)
    deals = sentence(html, "reported-lgds")
    assert "over 200 Local Green Deals signed by its closing conference" in deals
    assert "88 cities from 26 countries" in deals
    assert f'href="{ICLEI}"' in deals  # the source right beside the figure
    first = sentence(html, "reported-first-deals")
    assert "Pescara was the first core city to formally sign Local Green Deals: 4" in first
    assert "June 2024" in first
    assert f'href="{PESCARA}"' in first
    core = sentence(html, "reported-core-cities")
    assert "counts 69 core cities" in core
    assert f'href="{PESCARA}"' in core


def test_published_status_is_counted_against_the_deals_that_have_one(public):
    text = visible_text(public.get("/public/"))
    assert "1 of 1" in text  # Pescara's deal, signed, is the one status published
    assert "city's Local Green Deal whose status is published here is signed or further" in text


def test_the_signed_in_overview_gives_the_same_programme_figures_in_german(viewer):
    html = viewer.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    deals = sentence(html, "reported-lgds")
    assert "mehr als 200 unterzeichnete Local Green Deals" in deals
    assert "88 Städte aus 26 Ländern" in deals
    assert f'href="{ICLEI}"' in deals


@pytest.fixture
def tourism_actions(app):
    """Three tourism actions of Bamberg: one reported 56 %, two never reported."""
    plan = make_plan("bamberg")
    tourism = db.session.scalar(sa.select(Sector).where(Sector.slug == "tourism"))
    actions = [make_action(plan, title=f"Visitors {n}", slug=f"visitors-{n}") for n in range(3)]
    for action in actions:
        action.sector_id = tourism.id
    actions[0].status, actions[0].percent_complete = "on_track", 56
    # ... as published too (the state its approved reports give it).
    actions[0].published_status, actions[0].published_percent = "on_track", 56
    db.session.commit()
    return actions


BASE = "56\u00a0% on average over 1 reporting action; 2 not reporting yet"


def chart_of(html: str, name: str) -> dict:
    found = re.search(rf'<script type="application/json" data-chart="{name}">(.*?)</script>', html)
    assert found, name
    return json.loads(found.group(1))


@pytest.mark.usefixtures("tourism_actions")
def test_every_average_names_its_base_on_the_overview(viewer):
    html = viewer.get("/").get_data(as_text=True)
    bars = chart_of(html, "sector-progress")["data"][0]
    texts = dict(zip(bars["y"], bars["text"], strict=True))
    assert texts["Tourism"] == BASE
    table = viewer.get("/?format=csv&table=sector-progress").get_data(as_text=True)
    assert "sector,actions,reporting actions,average percent of the reporting actions" in table
    assert "Tourism,3,1,56.0" in table


@pytest.mark.usefixtures("tourism_actions")
def test_every_average_names_its_base_on_the_cohort_and_in_german(viewer):
    text = visible_text(viewer.get("/cohort"))
    assert BASE in text
    german = visible_text(viewer.get("/cohort", headers={"Accept-Language": "de"}))
    assert "56\u00a0% im Mittel aus 1 meldenden Maßnahme; 2 melden noch nicht" in german


def test_the_public_sector_chart_names_its_base(public, tourism_actions):
    for action in tourism_actions:
        assert not action.is_demo
    bars = chart_of(public.get("/public/").get_data(as_text=True), "sector-progress")["data"][0]
    assert dict(zip(bars["y"], bars["text"], strict=True))["Tourism"] == BASE


def test_an_average_of_nothing_says_that_nothing_reported(viewer, tourism_actions):
    tourism_actions[0].status, tourism_actions[0].percent_complete = None, None
    db.session.commit()
    bars = chart_of(viewer.get("/").get_data(as_text=True), "sector-progress")["data"][0]
    assert dict(zip(bars["y"], bars["text"], strict=True))["Tourism"] == (
        "no report yet from its 3 actions"
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)) >= 3


def test_the_mentorships_page_names_the_base_of_each_mentee_average(demo_app):
    client = signed_in_client(demo_app, "viewer", email="reader@example.org")
    text = visible_text(client.get("/mentorships"))
    assert re.search(r"\d+\u00a0% on average over \d+ reporting actions?", text)
    csv = client.get("/mentorships?format=csv&table=mentorships").get_data(as_text=True)
    assert "mentee actions,mentee reporting actions" in csv.splitlines()[0]
