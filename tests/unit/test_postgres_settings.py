"""The app's PostgreSQL connections run without JIT compilation: the dashboards' aggregates
cost the planner enough to be compiled, and compiling took longer than running them."""

from __future__ import annotations

import pytest

from tracker.extensions import db

pytestmark = pytest.mark.postgresql


def test_the_apps_connections_run_without_jit(app):
    assert db.session.connection().exec_driver_sql("SHOW jit").scalar() == "off"
