"""corrections keep their place: a correction stands at the reported date of the update it
corrects, one correction per update, indicator values linked to the update that reported them

Existing data is brought to that meaning:
- an indicator value is linked to the progress update that reported it (same indicator, date
  and value);
- where several corrections name the same update, each later one (by entry) is made to correct
  the one before, so the chain reads in the order they were entered;
- every correction takes the reported date of the first update of its chain, and so do the
  indicator values reported with it; its entry time (created_at) and author are unchanged;
- every action's current status and percent are recomputed from its latest effective update.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 04:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    add_reference("progress_updates", "original_id", "progress_updates")
    add_reference("indicator_values", "progress_update_id", "progress_updates")
    op.create_index(
        op.f("ix_indicator_values_progress_update_id"), "indicator_values", ["progress_update_id"]
    )
    bring_data_to_the_new_meaning(op.get_bind())
    op.create_index(
        "uq_progress_updates_corrects_id", "progress_updates", ["corrects_id"], unique=True
    )


def add_reference(table, column, target):
    """A nullable column that refers to `target`. On SQLite a plain ADD COLUMN with its named
    REFERENCES clause: batch mode would rebuild the table, and SQLite refuses to drop a table
    whose rows other rows (here: corrections) refer to while foreign keys are on."""
    name = f"fk_{table}_{column}_{target}"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} INTEGER "
            f"CONSTRAINT {name} REFERENCES {target} (id)"
        )
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(name, table, target, [column], ["id"])


def bring_data_to_the_new_meaning(connection):
    updates = sa.table(
        "progress_updates",
        sa.column("id"),
        sa.column("action_id"),
        sa.column("reported_on"),
        sa.column("status"),
        sa.column("percent_complete"),
        sa.column("indicator_id"),
        sa.column("indicator_value"),
        sa.column("corrects_id"),
        sa.column("original_id"),
    )
    values = sa.table(
        "indicator_values",
        sa.column("id"),
        sa.column("indicator_id"),
        sa.column("measured_on"),
        sa.column("value"),
        sa.column("progress_update_id"),
    )
    actions = sa.table(
        "actions",
        sa.column("id"),
        sa.column("status"),
        sa.column("percent_complete"),
        sa.column("last_reported_on"),
        sa.column("version"),
    )
    rows = {r.id: r._asdict() for r in connection.execute(sa.select(updates)).all()}

    # Link each indicator value to the update that reported it.
    for row in sorted(rows.values(), key=lambda r: r["id"]):
        if row["indicator_id"] is None:
            continue
        match = connection.execute(
            sa.select(values.c.id)
            .where(
                values.c.indicator_id == row["indicator_id"],
                values.c.measured_on == row["reported_on"],
                values.c.value == row["indicator_value"],
                values.c.progress_update_id.is_(None),
            )
            .order_by(values.c.id)
            .limit(1)
        ).scalar()
        if match is not None:
            connection.execute(
                values.update().where(values.c.id == match).values(progress_update_id=row["id"])
            )

    # One correction per update: later corrections of the same update correct the one before.
    last_correction = {}
    for row in sorted(rows.values(), key=lambda r: r["id"]):
        target = row["corrects_id"]
        if target is None:
            continue
        if target in last_correction:
            row["corrects_id"] = last_correction[target]
        last_correction[target] = row["id"]

    # Every correction stands at its chain's first update.
    for row in sorted(rows.values(), key=lambda r: r["id"]):
        if row["corrects_id"] is None:
            continue
        original = rows[row["corrects_id"]]
        while original["corrects_id"] is not None:
            original = rows[original["corrects_id"]]
        connection.execute(
            updates.update()
            .where(updates.c.id == row["id"])
            .values(
                corrects_id=row["corrects_id"],
                original_id=original["id"],
                reported_on=original["reported_on"],
            )
        )
        connection.execute(
            values.update()
            .where(values.c.progress_update_id == row["id"])
            .values(measured_on=original["reported_on"])
        )
        row["original_id"], row["reported_on"] = original["id"], original["reported_on"]

    # Each action's current state: its latest effective update.
    corrected = {r["corrects_id"] for r in rows.values() if r["corrects_id"] is not None}
    latest = {}
    for row in rows.values():
        if row["action_id"] is None or row["id"] in corrected:
            continue
        key = (row["reported_on"], row["original_id"] or row["id"])
        best = latest.get(row["action_id"])
        if best is None or key > (best["reported_on"], best["original_id"] or best["id"]):
            latest[row["action_id"]] = row
    for action_id, row in latest.items():
        connection.execute(
            actions.update()
            .where(
                actions.c.id == action_id,
                sa.or_(
                    actions.c.status.is_distinct_from(row["status"]),
                    actions.c.percent_complete.is_distinct_from(row["percent_complete"]),
                    actions.c.last_reported_on.is_distinct_from(row["reported_on"]),
                ),
            )
            .values(
                status=row["status"],
                percent_complete=row["percent_complete"],
                last_reported_on=row["reported_on"],
                version=actions.c.version + 1,
            )
        )


def downgrade():
    op.drop_index("uq_progress_updates_corrects_id", table_name="progress_updates")
    op.drop_index(op.f("ix_indicator_values_progress_update_id"), table_name="indicator_values")
    for table, column, target in (
        ("indicator_values", "progress_update_id", "progress_updates"),
        ("progress_updates", "original_id", "progress_updates"),
    ):
        if op.get_bind().dialect.name == "sqlite":
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.drop_column(column)
        else:
            op.drop_constraint(f"fk_{table}_{column}_{target}", table, type_="foreignkey")
            op.drop_column(table, column)
