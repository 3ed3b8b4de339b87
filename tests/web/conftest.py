"""Fixtures shared by the web tests: signed-in clients on the demo data (the dashboards), and
an action of Bamberg's with a client signed in as the city's editor (the progress forms)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_action, make_plan, make_user
from tests.helpers import login, signed_in_client


@pytest.fixture
def viewer(demo_app):
    return signed_in_client(demo_app, "viewer", email="reader@example.org")


@pytest.fixture
def lead(demo_app):
    return signed_in_client(demo_app, "lead", email="boss@example.org")


@pytest.fixture
def action(app):
    return make_action(make_plan("bamberg", started_on=date(2023, 9, 1)))


@pytest.fixture
def editor_client(client, action):
    make_user("editor", city="bamberg")
    login(client, "editor-bamberg@example.org")
    return client
