"""counts kept by date as records change, for figures that depend on the day: the deal steps and
other milestones per step, due date, first planned date and done or not (the milestones
summary: done, on time, late and slips, whatever the number of cities), and the open actions
per last report (those gone stale: the ones last reported before a cutoff, never reported
counted at 1 January of year 1). Kept by triggers in the write's own transaction, as 0021
keeps the actions' totals; a day's figures read a row per date, not every record

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 00:30:00

"""

from dataclasses import dataclass

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

NEVER = "0001-01-01"  # the last report of an action never reported


@dataclass(frozen=True)
class Kept:
    """A table of counts kept by triggers on `source`: each of its rows (named `{row}`: NEW,
    OLD, or the source itself for the first fill) counts once in its key's row when `counted`
    holds. No NULL in the key: a unique key never matches NULL."""

    table: str
    source: str
    key: dict[str, str]  # column -> the expression it is kept from
    counted: str
    watched: str  # the source's columns whose change moves a row between keys


KEPT = (
    Kept(
        "milestone_totals",
        "milestones",
        {
            "lgd_step": "COALESCE({row}.lgd_step, '')",
            "due_on": "{row}.due_on",
            "planned_on": "{row}.planned_on",
            "done": "({row}.completed_on IS NOT NULL)",
        },
        "TRUE",
        "lgd_step, due_on, planned_on, completed_on",
    ),
    Kept(
        "open_action_reports",
        "actions",
        {"last_reported_on": f"COALESCE({{row}}.last_reported_on, '{NEVER}')"},
        "({row}.status IS NULL OR {row}.status NOT IN ('done', 'cancelled'))",
        "status, last_reported_on",
    ),
)


def _upsert(kept: Kept, row: str, sign: str) -> str:
    """The statement adding the record `row` (times `sign`) to its key's row."""
    names = ", ".join(kept.key)
    values = ", ".join(e.format(row=row) for e in kept.key.values())
    counted = kept.counted.format(row=row)
    return (  # noqa: S608  (the names and expressions of this file, no input)
        f"INSERT INTO {kept.table} ({names}, n) SELECT {values}, {sign} WHERE {counted} "
        f"ON CONFLICT ({names}) DO UPDATE SET n = {kept.table}.n + excluded.n;"
    )


def _create(kept: Kept, columns: list[sa.Column]) -> None:
    op.create_table(
        kept.table,
        *columns,
        sa.Column("n", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint(*kept.key, name=f"pk_{kept.table}"),
    )
    keys = ", ".join(e.format(row=kept.source) for e in kept.key.values())
    counted = kept.counted.format(row=kept.source)
    op.execute(  # noqa: S608  (the names and expressions of this file, no input)
        f"INSERT INTO {kept.table} ({', '.join(kept.key)}, n) "
        f"SELECT {keys}, count(*) FROM {kept.source} WHERE {counted} GROUP BY {keys}"
    )
    if op.get_bind().dialect.name == "sqlite":
        # One writer at a time: the order of the two rows an update touches does not matter.
        op.execute(
            f"CREATE TRIGGER {kept.table}_insert AFTER INSERT ON {kept.source} "
            f"BEGIN {_upsert(kept, 'NEW', '1')} END"
        )
        op.execute(
            f"CREATE TRIGGER {kept.table}_update AFTER UPDATE OF {kept.watched} "
            f"ON {kept.source} BEGIN {_upsert(kept, 'OLD', '-1')} {_upsert(kept, 'NEW', '1')} END"
        )
        op.execute(
            f"CREATE TRIGGER {kept.table}_delete AFTER DELETE ON {kept.source} "
            f"BEGIN {_upsert(kept, 'OLD', '-1')} END"
        )
        return
    # As 0021: an update that moves a record between two rows takes them in the key's order,
    # so two such updates never wait on each other in a circle.
    old_key = ", ".join(e.format(row="OLD") for e in kept.key.values())
    new_key = ", ".join(e.format(row="NEW") for e in kept.key.values())
    leave, enter = _upsert(kept, "OLD", "-1"), _upsert(kept, "NEW", "1")
    op.execute(
        f"CREATE FUNCTION {kept.table}_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {enter} "
        f"ELSIF TG_OP = 'DELETE' THEN {leave} "
        f"ELSIF ROW({old_key}) <= ROW({new_key}) THEN {leave} {enter} "
        f"ELSE {enter} {leave} "
        "END IF; RETURN NULL; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {kept.table} AFTER INSERT OR DELETE OR UPDATE OF {kept.watched} "
        f"ON {kept.source} FOR EACH ROW EXECUTE FUNCTION {kept.table}_keep()"
    )


def upgrade():
    milestones, actions = KEPT
    _create(
        milestones,
        [
            sa.Column("lgd_step", sa.String(40), nullable=False),
            sa.Column("due_on", sa.Date(), nullable=False),
            sa.Column("planned_on", sa.Date(), nullable=False),
            sa.Column("done", sa.Boolean(), nullable=False),
        ],
    )
    _create(actions, [sa.Column("last_reported_on", sa.Date(), nullable=False)])


def downgrade():
    for kept in reversed(KEPT):
        if op.get_bind().dialect.name == "sqlite":
            for name in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {kept.table}_{name}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {kept.table} ON {kept.source}")
            op.execute(f"DROP FUNCTION IF EXISTS {kept.table}_keep()")
        op.drop_table(kept.table)
