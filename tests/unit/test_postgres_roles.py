"""The README's PostgreSQL roles, run as written: an owner that migrates, an app role that works
the app but cannot alter, disable the triggers of, truncate or delete from the audit trail.
(PostgreSQL only: SQLite has no roles; in the SQLite pass the test only reads the README.)"""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

from tests.conftest import _postgres_admin_url, build_app, make_config
from tests.factories import log_report, make_action, make_plan, make_user
from tests.helpers import login
from tracker import create_app
from tracker.config import PROJECT_ROOT as PROJECT
from tracker.extensions import db

HEADING = "### PostgreSQL: an owner role for migrations"
REWRITES = [
    "UPDATE audit_events SET verb = 'rewritten'",
    "DELETE FROM audit_events",
    "TRUNCATE audit_events",
    "ALTER TABLE audit_events DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_events_append_only ON audit_events",
    "ALTER TABLE audit_events OWNER TO CURRENT_USER",
]


def readme_blocks() -> list[str]:
    """The SQL blocks of the README's section on the roles, in order."""
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


def statements(block: str, names: dict[str, str]) -> list[str]:
    for plain, unique in names.items():
        block = re.sub(rf"\b{plain}\b", unique, block)
    return [s.strip() for s in block.split(";") if s.strip()]


def test_the_app_role_works_the_app_and_cannot_rewrite_the_audit_trail(backend, tmp_path):
    blocks = readme_blocks()
    assert len(blocks) == 2, "the README gives the roles in two blocks: before and after upgrade"
    if backend != "postgresql":
        return  # SQLite has no roles; the PostgreSQL pass runs the rest
    suffix = uuid.uuid4().hex[:10]
    names = {
        "tracker_owner": f"tracker_owner_{suffix}",
        "tracker_app": f"tracker_app_{suffix}",
        "tracker": f"tracker_roles_{suffix}",
    }
    admin_url = sa.make_url(_postgres_admin_url())
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")

    def as_role(role: str, password: str) -> str:
        url = admin_url.set(username=names[role], password=password, database=names["tracker"])
        return url.render_as_string(hide_password=False)

    try:
        with admin.connect() as connection:
            for statement in statements(blocks[0], names):
                connection.exec_driver_sql(statement)
        owner = build_app(as_role("tracker_owner", "change-me-owner"), tmp_path, demo=False)
        with owner.app_context():
            db.engine.dispose()
        superuser = sa.create_engine(
            admin_url.set(database=names["tracker"]), isolation_level="AUTOCOMMIT"
        )
        with superuser.connect() as connection:
            for statement in statements(blocks[1], names):
                connection.exec_driver_sql(statement)
        superuser.dispose()

        app_url = as_role("tracker_app", "change-me-app")
        app = create_app(make_config(app_url, tmp_path / "app"))
        with app.app_context():
            # The app's own work, as the app role: accounts, a report, the audit it leaves.
            make_user("lead")
            action = make_action(make_plan("bamberg"))
            log_report(action, 20)
            client = app.test_client()
            assert login(client, "lead-all@example.org").status_code == 302
            assert client.get(f"/actions/{action.id}").status_code == 200
            audited = db.session.execute(sa.text("SELECT count(*) FROM audit_events")).scalar()
            assert audited >= 3
            db.session.remove()
            for statement in REWRITES:
                with db.engine.connect() as connection, pytest.raises(sa.exc.DBAPIError) as no:
                    connection.exec_driver_sql(statement)
                assert "permission denied" in str(no.value) or "must be owner" in str(no.value)
            with db.engine.connect() as connection:
                kept = connection.execute(sa.text("SELECT count(*) FROM audit_events")).scalar()
            assert kept == audited
            db.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{names["tracker"]}" WITH (FORCE)')
            for role in ("tracker_app", "tracker_owner"):
                connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{names[role]}"')
        admin.dispose()
