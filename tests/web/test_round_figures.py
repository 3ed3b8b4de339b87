"""The programme's own KPIs per reporting round (money earmarked and leveraged, partners
engaged, city-to-city collaborations), worked out here from the records and compared with the
overview's table and the API's round record, on the demo data."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests.factories import make_user
from tests.helpers import page_text, signed_in_client
from tracker.extensions import db
from tracker.models import Action, ActionCost, City, Mentorship, Participation, Partner, Plan
from tracker.schemas.rounds import RoundOpening
from tracker.services import rounds, tokens

CITIES = ["bamberg", "dortmund", "pescara"]
START, END = date(2024, 1, 1), date(2024, 12, 31)


def expected() -> dict[str, float]:  # worked out one record at a time
    ids = set(db.session.scalars(sa.select(City.id).where(City.slug.in_(CITIES))))
    money = {"own": 0.0, "other": 0.0}
    for cost in db.session.scalars(sa.select(ActionCost)):
        action = db.session.get_one(Action, cost.action_id)
        if action.plan.city_id in ids and START.year <= cost.year <= END.year and cost.planned_eur:
            money["own" if cost.funding_source == "own" else "other"] += cost.planned_eur
    partners = sum(
        1
        for p in db.session.scalars(sa.select(Partner))
        if db.session.get_one(Plan, p.plan_id).city_id in ids
        and (p.signed_on is None or p.signed_on <= END)
    )
    city_of = dict(db.session.execute(sa.select(Participation.id, Participation.city_id)).all())
    pairs = sum(
        1
        for m in db.session.scalars(sa.select(Mentorship))
        if (city_of[m.mentor_id] in ids or city_of[m.mentee_id] in ids)
        and m.since_on <= END
        and (m.ended_on is None or m.ended_on >= START)
    )
    return {
        "earmarked_eur": money["own"],
        "leveraged_eur": money["other"],
        "partners": partners,
        "collaborations": pairs,
    }


def test_the_round_figures_on_the_overview_and_in_the_api(demo_app):
    lead = make_user("lead", email="figures-lead@example.org")
    opened = rounds.open_round(
        lead,
        RoundOpening(
            name="2024", period_start=START, period_end=END, due_on=date(2025, 1, 31), cities=CITIES
        ),
    )
    db.session.commit()
    want = expected()
    assert want["earmarked_eur"] > 0
    assert want["leveraged_eur"] > 0
    assert want["partners"] > 0
    assert want["collaborations"] > 0
    token = tokens.issue_token(None, lead, "test", actor_label="test")
    db.session.commit()
    record = (
        demo_app.test_client()
        .get(f"/api/v1/rounds/{opened.id}", headers={"Authorization": f"Bearer {token}"})
        .json
    )
    got = record["figures"]
    assert got["demo"] is True
    assert {k: got[k] for k in want} == want
    client = signed_in_client(demo_app, "viewer")
    text = page_text(client.get("/"))
    row = text.split('id="round-figures"', 1)[1]
    assert "2024 (includes demo data)" in row
    assert f"{want['earmarked_eur']:,.0f}" in row
    assert f"{want['leveraged_eur']:,.0f}" in row
    csv = client.get("/?format=csv&table=round_figures").get_data(as_text=True)
    assert csv.splitlines()[1].startswith("2024 (includes demo data),3,")
