"""actions counted by the database as they change: per sector, demo or not, status and published
status, how many actions, how many of them report a percent and its sum (as reported, and as
approved), kept by triggers on actions in the write's own transaction (so every way of writing
keeps them), read by the overview instead of every action

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 23:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

KEY = ("sector_id", "is_demo", "status", "published_status")
SUMS = ("actions", "reporting", "percent_sum", "published_reporting", "published_percent_sum")
# What one action adds to its key's row (multiplied by -1 when it leaves the row), from the
# action's columns named with `row` (NEW or OLD; for the first fill, actions).
ADDS = {
    "actions": "1",
    "reporting": "CASE WHEN {row}.percent_complete IS NULL THEN 0 ELSE 1 END",
    "percent_sum": "COALESCE({row}.percent_complete, 0)",
    "published_reporting": "CASE WHEN {row}.published_percent IS NULL THEN 0 ELSE 1 END",
    "published_percent_sum": "COALESCE({row}.published_percent, 0)",
}
# No NULL in the key (a unique key never matches NULL): no sector is 0, no status ''.
KEYED = {
    "sector_id": "COALESCE({row}.sector_id, 0)",
    "is_demo": "{row}.is_demo",
    "status": "COALESCE({row}.status, '')",
    "published_status": "COALESCE({row}.published_status, '')",
}
WATCHED = "sector_id, is_demo, status, published_status, percent_complete, published_percent"


def _upsert(row: str, sign: str) -> str:
    """The statement adding the action `row` (times `sign`) to its key's row."""
    values = [KEYED[c].format(row=row) for c in KEY] + [
        f"{sign} * ({ADDS[c].format(row=row)})" for c in SUMS
    ]
    added = ", ".join(f"{c} = action_totals.{c} + excluded.{c}" for c in SUMS)
    return (  # noqa: S608  (the names and expressions of this file, no input)
        f"INSERT INTO action_totals ({', '.join(KEY + SUMS)}) VALUES ({', '.join(values)}) "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {added};"
    )


def upgrade():
    op.create_table(
        "action_totals",
        sa.Column("sector_id", sa.Integer(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("published_status", sa.String(20), nullable=False),
        *(sa.Column(c, sa.BigInteger(), nullable=False, server_default="0") for c in SUMS),
        sa.PrimaryKeyConstraint(*KEY, name="pk_action_totals"),
    )
    keys = ", ".join(KEYED[c].format(row="actions") for c in KEY)
    sums = ", ".join(f"sum({ADDS[c].format(row='actions')})" for c in SUMS)
    op.execute(  # noqa: S608  (the names and expressions of this file, no input)
        f"INSERT INTO action_totals ({', '.join(KEY + SUMS)}) "
        f"SELECT {keys}, {sums} FROM actions GROUP BY {keys}"
    )
    if op.get_bind().dialect.name == "sqlite":
        # One writer at a time: the order of the two rows an update touches does not matter.
        op.execute(
            f"CREATE TRIGGER action_totals_insert AFTER INSERT ON actions "
            f"BEGIN {_upsert('NEW', '1')} END"
        )
        op.execute(
            f"CREATE TRIGGER action_totals_update AFTER UPDATE OF {WATCHED} ON actions "
            f"BEGIN {_upsert('OLD', '-1')} {_upsert('NEW', '1')} END"
        )
        op.execute(
            f"CREATE TRIGGER action_totals_delete AFTER DELETE ON actions "
            f"BEGIN {_upsert('OLD', '-1')} END"
        )
        return
    # Concurrent writers lock the rows they touch: an update that moves an action from one row
    # to another touches both in the key's order, so two such updates never wait on each other
    # in a circle.
    old_key = ", ".join(KEYED[c].format(row="OLD") for c in KEY)
    new_key = ", ".join(KEYED[c].format(row="NEW") for c in KEY)
    op.execute(
        "CREATE FUNCTION action_totals_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        f"{_upsert('NEW', '1')} "
        "ELSIF TG_OP = 'DELETE' THEN "
        f"{_upsert('OLD', '-1')} "
        f"ELSIF ROW({old_key}) <= ROW({new_key}) THEN "
        f"{_upsert('OLD', '-1')} {_upsert('NEW', '1')} "
        "ELSE "
        f"{_upsert('NEW', '1')} {_upsert('OLD', '-1')} "
        "END IF; "
        "RETURN NULL; END $$"
    )
    op.execute(
        f"CREATE TRIGGER action_totals AFTER INSERT OR DELETE OR UPDATE OF {WATCHED} "
        "ON actions FOR EACH ROW EXECUTE FUNCTION action_totals_keep()"
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS action_totals_{name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS action_totals ON actions")
        op.execute("DROP FUNCTION IF EXISTS action_totals_keep()")
    op.drop_table("action_totals")
