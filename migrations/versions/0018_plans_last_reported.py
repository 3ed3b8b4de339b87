"""a plan's last report, kept by the database: the latest report on any of its actions, set by
triggers on actions in the same transaction as the report (so every way of writing, the ledger,
imports, bulk loads, keeps it), read by the dashboards a row per plan

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 17:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# The plan's latest report, from its actions (through ix_actions_plan_reported).
LATEST = "(SELECT max(last_reported_on) FROM actions WHERE actions.plan_id = {plan})"


def _set(plan: str) -> str:
    return f"UPDATE plans SET last_reported_on = {LATEST.format(plan=plan)} WHERE id = {plan};"


def upgrade():
    op.add_column("plans", sa.Column("last_reported_on", sa.Date(), nullable=True))
    op.execute(f"UPDATE plans SET last_reported_on = {LATEST.format(plan='plans.id')}")
    op.create_index("ix_plans_city_reported", "plans", ["city_id", "last_reported_on"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER actions_reported_insert AFTER INSERT ON actions "
            f"WHEN NEW.last_reported_on IS NOT NULL BEGIN {_set('NEW.plan_id')} END"
        )
        op.execute(
            "CREATE TRIGGER actions_reported_update AFTER UPDATE OF last_reported_on, plan_id "
            "ON actions WHEN OLD.last_reported_on IS NOT NEW.last_reported_on "
            f"OR OLD.plan_id IS NOT NEW.plan_id BEGIN {_set('NEW.plan_id')} "
            f"{_set('OLD.plan_id')} END"
        )
        op.execute(
            "CREATE TRIGGER actions_reported_delete AFTER DELETE ON actions "
            f"WHEN OLD.last_reported_on IS NOT NULL BEGIN {_set('OLD.plan_id')} END"
        )
        return
    op.execute(
        "CREATE FUNCTION plans_last_reported() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'DELETE' THEN "
        f"{_set('OLD.plan_id')} "
        "ELSE "
        f"{_set('NEW.plan_id')} "
        "IF TG_OP = 'UPDATE' AND OLD.plan_id IS DISTINCT FROM NEW.plan_id THEN "
        f"{_set('OLD.plan_id')} "
        "END IF; "
        "END IF; "
        "RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER actions_reported AFTER INSERT OR DELETE OR UPDATE OF last_reported_on, "
        "plan_id ON actions FOR EACH ROW EXECUTE FUNCTION plans_last_reported()"
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS actions_reported_{name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS actions_reported ON actions")
        op.execute("DROP FUNCTION IF EXISTS plans_last_reported()")
    op.drop_index("ix_plans_city_reported", table_name="plans")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("last_reported_on")
