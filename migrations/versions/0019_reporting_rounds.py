"""reporting rounds: a period the cities report for by a due date; closing one freezes a
snapshot of every action, indicator and milestone of its cities, with its content hash. The
database itself refuses to change or delete a closed round, its cities or any snapshot item, and
to add items to a closed round, as it does for the audit trail (0006).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 20:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

FROZEN = "a closed reporting round and its snapshot cannot be changed"
CLOSED = "(SELECT closed_at FROM reporting_rounds WHERE id = {row}.round_id) IS NOT NULL"

# (table, event, when: the condition under which the change is refused; None: always)
SQLITE_GUARDS = [
    ("reporting_rounds", "UPDATE", "OLD.closed_at IS NOT NULL"),
    ("reporting_rounds", "DELETE", "OLD.closed_at IS NOT NULL"),
    ("reporting_round_cities", "INSERT", CLOSED.format(row="NEW")),
    ("reporting_round_cities", "UPDATE", CLOSED.format(row="OLD")),
    ("reporting_round_cities", "DELETE", CLOSED.format(row="OLD")),
    ("round_snapshot_items", "INSERT", CLOSED.format(row="NEW")),
    ("round_snapshot_items", "UPDATE", None),
    ("round_snapshot_items", "DELETE", None),
]


def upgrade():
    op.create_table(
        "reporting_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "period_start <= period_end", name=op.f("ck_reporting_rounds_period_in_order")
        ),
        sa.CheckConstraint(
            "(closed_at IS NULL) = (content_hash IS NULL)",
            name=op.f("ck_reporting_rounds_closed_with_hash"),
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["users.id"], name=op.f("fk_reporting_rounds_opened_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_reporting_rounds_closed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_rounds")),
        sa.UniqueConstraint("name", name=op.f("uq_reporting_rounds_name")),
    )
    op.create_index(
        op.f("ix_reporting_rounds_closed_at"), "reporting_rounds", ["closed_at"], unique=False
    )
    op.create_table(
        "reporting_round_cities",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_id"], ["cities.id"], name=op.f("fk_reporting_round_cities_city_id_cities")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["reporting_rounds.id"],
            name=op.f("fk_reporting_round_cities_round_id_reporting_rounds"),
        ),
        sa.PrimaryKeyConstraint("round_id", "city_id", name=op.f("pk_reporting_round_cities")),
    )
    op.create_index(
        op.f("ix_reporting_round_cities_city_id"),
        "reporting_round_cities",
        ["city_id"],
        unique=False,
    )
    op.create_table(
        "round_snapshot_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('action', 'indicator', 'milestone')",
            name=op.f("ck_round_snapshot_items_kind_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["city_id"], ["cities.id"], name=op.f("fk_round_snapshot_items_city_id_cities")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["reporting_rounds.id"],
            name=op.f("fk_round_snapshot_items_round_id_reporting_rounds"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_snapshot_items")),
        sa.UniqueConstraint(
            "round_id", "kind", "item_id", name=op.f("uq_round_snapshot_items_round_id_kind_item_id")
        ),
    )
    op.create_index(
        "ix_round_snapshot_items_city",
        "round_snapshot_items",
        ["round_id", "city_id", "kind", "item_id"],
        unique=False,
    )
    if op.get_bind().dialect.name == "sqlite":
        for table, event, when in SQLITE_GUARDS:
            condition = f" WHEN {when}" if when else ""
            op.execute(
                f"CREATE TRIGGER {table}_frozen_{event.lower()} BEFORE {event} ON {table}"
                f"{condition} BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END"
            )
        return
    refuse = f"RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'insufficient_privilege'"
    closed = CLOSED
    op.execute(
        "CREATE FUNCTION reporting_rounds_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF OLD.closed_at IS NOT NULL THEN {refuse}; END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER reporting_rounds_frozen BEFORE UPDATE OR DELETE ON reporting_rounds "
        "FOR EACH ROW EXECUTE FUNCTION reporting_rounds_frozen()"
    )
    op.execute(
        "CREATE FUNCTION round_rows_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP <> 'INSERT' THEN "
        f"IF TG_TABLE_NAME = 'round_snapshot_items' THEN {refuse}; END IF; "
        f"IF {closed.format(row='OLD')} THEN {refuse}; END IF; "
        "END IF; "
        "IF TG_OP <> 'DELETE' THEN "
        f"IF {closed.format(row='NEW')} THEN {refuse}; END IF; "
        "END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
    )
    for table in ("reporting_round_cities", "round_snapshot_items"):
        op.execute(
            f"CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION round_rows_frozen()"
        )
    # TRUNCATE fires no row trigger: refuse it with a statement trigger.
    op.execute(
        "CREATE FUNCTION round_snapshot_no_truncate() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {refuse}; END $$"
    )
    op.execute(
        "CREATE TRIGGER round_snapshot_items_no_truncate BEFORE TRUNCATE ON round_snapshot_items "
        "FOR EACH STATEMENT EXECUTE FUNCTION round_snapshot_no_truncate()"
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for table, event, _when in SQLITE_GUARDS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen_{event.lower()}")
    else:
        op.execute(
            "DROP TRIGGER IF EXISTS round_snapshot_items_no_truncate ON round_snapshot_items"
        )
        for table in ("reporting_round_cities", "round_snapshot_items"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}")
        op.execute("DROP TRIGGER IF EXISTS reporting_rounds_frozen ON reporting_rounds")
        op.execute("DROP FUNCTION IF EXISTS round_snapshot_no_truncate()")
        op.execute("DROP FUNCTION IF EXISTS round_rows_frozen()")
        op.execute("DROP FUNCTION IF EXISTS reporting_rounds_frozen()")
    op.drop_index("ix_round_snapshot_items_city", table_name="round_snapshot_items")
    op.drop_table("round_snapshot_items")
    op.drop_index(op.f("ix_reporting_round_cities_city_id"), table_name="reporting_round_cities")
    op.drop_table("reporting_round_cities")
    op.drop_index(op.f("ix_reporting_rounds_closed_at"), table_name="reporting_rounds")
    op.drop_table("reporting_rounds")
