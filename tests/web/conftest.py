"""Signed-in clients on the demo data, shared by the dashboard modules."""

from __future__ import annotations

import pytest

from tests.helpers import login, make_user


@pytest.fixture
def viewer(demo_app):
    client = demo_app.test_client()
    make_user("viewer", email="reader@example.org")
    login(client, "reader@example.org")
    return client


@pytest.fixture
def lead(demo_app):
    client = demo_app.test_client()
    make_user("lead", email="boss@example.org")
    login(client, "boss@example.org")
    return client
