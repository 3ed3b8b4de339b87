"""The home page: the programme's headline figures for a signed-in user."""

import re

import pytest
import sqlalchemy as sa

from tests.factories import make_user
from tests.helpers import login
from tracker.extensions import db
from tracker.models import Participation, Plan, Programme


def figures(client) -> str:
    make_user("viewer")
    login(client, "viewer-all@example.org")
    response = client.get("/")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_headline_figures_from_the_facts(client):
    page = figures(client)
    assert "Intelligent Cities Challenge 2023-25" in page
    assert "55 of 64 core cities registered" in page
    assert '<th scope="row">Mentor cities</th><td>11</td>' in page
    assert '<th scope="row">Observer cities</th><td>7</td>' in page
    assert '<th scope="row">Communications ambassadors</th><td>9</td>' in page
    assert "Programme target: 175 signed Local Green Deals." in page
    assert '<th scope="row">Done</th><td>12</td>' in page
    assert "End of the 24-month programme" in page
    assert 'class="badge demo"' not in page


def test_figures_follow_the_data(client):
    programme = db.session.scalar(sa.select(Programme))
    db.session.delete(
        db.session.scalars(sa.select(Participation).where(Participation.role == "observer")).first()
    )
    db.session.commit()
    assert programme is not None
    assert '<th scope="row">Observer cities</th><td>6</td>' in figures(client)


@pytest.mark.once  # the labels of the pages, not of the database
def test_demo_deals_are_labelled_as_demo(client, runner):
    assert runner.invoke(args=["seed", "--demo"]).exit_code == 0
    page = figures(client)
    assert 'class="badge demo"' in page
    demo_deals = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Plan)
        .where(Plan.is_demo, Plan.kind == "local_green_deal")
    )
    # One per mentor and core city, but Pescara, whose deal is a sourced fact.
    assert demo_deals == 65
    assert f"{demo_deals} of these deals are illustrative demo data" in page


def test_unknown_pages_answer_404_in_the_site_layout(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "ICC Tracker" in response.get_data(as_text=True)


def test_a_server_error_is_a_page_in_the_site_layout_without_a_trace(
    backend, tmp_path, database_url
):
    from tests.conftest import make_config
    from tracker import create_app

    app = create_app(make_config(database_url, tmp_path, TESTING=False))

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html
    assert "ICC Tracker" in html
    assert "secret internals" not in html
    assert "Traceback" not in html
