"""each city's open deal steps and other milestones due before a stored day, kept by triggers
in the write's own transaction: the mentorships page adds the few due between that day and
today (or takes away those after today) instead of counting every mentee's overdue milestones.
`flask prune` moves the day forward, so what is added stays a day's worth

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08 07:00:00

"""

# ruff: noqa: S608  (statements built from the names and expressions of this file, no input)
import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

# Counted: a plan's milestone not completed, due before the stored day.
_COUNTED = "{row}.completed_on IS NULL AND {row}.due_on < (SELECT day FROM overdue_day)"


def _add(row: str, sign: str) -> str:
    """The statement adding the milestone `row` (NEW or OLD) times `sign` to its city's row."""
    counted = _COUNTED.format(row=row)
    return (
        "INSERT INTO city_overdue (city_id, steps, others) "
        f"SELECT p.city_id, CASE WHEN {row}.lgd_step IS NULL THEN 0 ELSE {sign} END, "
        f"CASE WHEN {row}.lgd_step IS NULL THEN {sign} ELSE 0 END "
        f"FROM plans p WHERE p.id = {row}.plan_id AND {counted} "
        "ON CONFLICT (city_id) DO UPDATE SET steps = city_overdue.steps + excluded.steps, "
        "others = city_overdue.others + excluded.others;"
    )


def _recount(city: str) -> str:
    """The statement counting the city `city`'s row afresh (a plan moved to another city)."""
    return (
        "INSERT INTO city_overdue (city_id, steps, others) "
        "SELECT c.id, "
        "(SELECT count(m.lgd_step) FROM milestones m JOIN plans p ON p.id = m.plan_id "
        f"WHERE p.city_id = c.id AND {_COUNTED.format(row='m')}), "
        "(SELECT count(*) - count(m.lgd_step) FROM milestones m JOIN plans p ON p.id = m.plan_id "
        f"WHERE p.city_id = c.id AND {_COUNTED.format(row='m')}) "
        f"FROM cities c WHERE c.id = {city} "
        "ON CONFLICT (city_id) DO UPDATE SET steps = excluded.steps, others = excluded.others;"
    )


_ENSURE = (
    "INSERT INTO city_overdue (city_id, steps, others) SELECT NEW.city_id, 0, 0 WHERE TRUE "
    "ON CONFLICT (city_id) DO NOTHING;"
)
WATCHED = "plan_id, lgd_step, completed_on, due_on"


def upgrade():
    op.create_table(
        "overdue_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_overdue_day_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overdue_day")),
    )
    op.create_table(
        "city_overdue",
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.Column("steps", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("others", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("city_id", name=op.f("pk_city_overdue")),
    )
    op.execute("INSERT INTO overdue_day (id, day) VALUES (1, CURRENT_DATE)")
    # A row for every city with a plan (a city's row is there before its first milestone).
    op.execute(
        "INSERT INTO city_overdue (city_id, steps, others) "
        "SELECT p.city_id, count(m.lgd_step), count(m.id) - count(m.lgd_step) "
        f"FROM plans p LEFT JOIN milestones m ON m.plan_id = p.id AND {_COUNTED.format(row='m')} "
        "GROUP BY p.city_id"
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER city_overdue_insert AFTER INSERT ON milestones "
            f"BEGIN {_add('NEW', '1')} END"
        )
        op.execute(
            f"CREATE TRIGGER city_overdue_update AFTER UPDATE OF {WATCHED} ON milestones "
            f"BEGIN {_add('OLD', '-1')} {_add('NEW', '1')} END"
        )
        op.execute(
            "CREATE TRIGGER city_overdue_delete AFTER DELETE ON milestones "
            f"BEGIN {_add('OLD', '-1')} END"
        )
        op.execute(
            f"CREATE TRIGGER city_overdue_plan_insert AFTER INSERT ON plans BEGIN {_ENSURE} END"
        )
        op.execute(
            "CREATE TRIGGER city_overdue_plan_move AFTER UPDATE OF city_id ON plans "
            f"BEGIN {_recount('OLD.city_id')} {_recount('NEW.city_id')} END"
        )
        return
    op.execute(
        "CREATE FUNCTION city_overdue_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_add('OLD', '-1')} END IF; "
        f"IF TG_OP IN ('UPDATE', 'INSERT') THEN {_add('NEW', '1')} END IF; "
        "RETURN NULL; END $$"
    )
    op.execute(
        f"CREATE TRIGGER city_overdue AFTER INSERT OR DELETE OR UPDATE OF {WATCHED} "
        "ON milestones FOR EACH ROW EXECUTE FUNCTION city_overdue_keep()"
    )
    op.execute(
        "CREATE FUNCTION city_overdue_plans() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_ENSURE} "
        f"ELSE {_recount('OLD.city_id')} {_recount('NEW.city_id')} END IF; "
        "RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER city_overdue_plans AFTER INSERT OR UPDATE OF city_id ON plans "
        "FOR EACH ROW EXECUTE FUNCTION city_overdue_plans()"
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "update", "delete", "plan_insert", "plan_move"):
            op.execute(f"DROP TRIGGER IF EXISTS city_overdue_{name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS city_overdue ON milestones")
        op.execute("DROP TRIGGER IF EXISTS city_overdue_plans ON plans")
        op.execute("DROP FUNCTION IF EXISTS city_overdue_keep()")
        op.execute("DROP FUNCTION IF EXISTS city_overdue_plans()")
    op.drop_table("city_overdue")
    op.drop_table("overdue_day")
