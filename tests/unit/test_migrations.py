"""The migrations build the schema the models describe: nothing is left to autogenerate."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from tracker import PROJECT_ROOT
from tracker.extensions import db

# Indexes on expressions, which SQLAlchemy does not reflect (it warns and leaves them out of
# the comparison): their presence is checked in the database's own catalogue instead.
EXPRESSION_INDEXES = {"ix_actions_silence"}


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression")
def test_migrations_and_models_agree(app):
    # The session database was built from empty by `flask db upgrade` (see conftest.base_app).
    connection = db.session.connection()
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    assert compare_metadata(context, db.metadata) == []
    declared = {
        index.name for table in db.metadata.tables.values() for index in table.indexes
    } & EXPRESSION_INDEXES
    assert declared == EXPRESSION_INDEXES
    catalogue = (
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        if connection.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes"
    )
    assert set(connection.exec_driver_sql(catalogue).scalars()) >= EXPRESSION_INDEXES


def test_database_is_at_the_head_revision(app):
    context = MigrationContext.configure(db.session.connection())
    head = ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_current_head()
    assert head is not None
    assert context.get_current_revision() == head


def test_the_suite_runs_on_the_database_it_was_asked_for(app, backend):
    assert db.engine.dialect.name == backend


def test_upgrade_downgrade_upgrade_round_trip_on_a_fresh_database(tmp_path):
    from flask_migrate import downgrade, upgrade

    from tests.conftest import make_config
    from tracker import create_app

    app = create_app(make_config("sqlite:///" + str(tmp_path / "fresh.sqlite"), tmp_path))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(db.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        context = MigrationContext.configure(db.engine.connect())
        head = ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_current_head()
        assert context.get_current_revision() == head
        context.connection.close()
        db.engine.dispose()
