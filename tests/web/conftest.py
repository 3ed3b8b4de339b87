"""Signed-in clients on the demo data, shared by the dashboard modules."""

from __future__ import annotations

import pytest

from tests.helpers import signed_in_client


@pytest.fixture
def viewer(demo_app):
    client = signed_in_client(demo_app, "viewer", email="reader@example.org")
    return client


@pytest.fixture
def lead(demo_app):
    client = signed_in_client(demo_app, "lead", email="boss@example.org")
    return client
