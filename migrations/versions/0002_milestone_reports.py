"""milestone reports: a progress update on a milestone can move its due date or mark it done

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 16:41:44.328748

"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("progress_updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("completed_on", sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_progress_updates_milestone_fields_on_milestones"),
            "action_id IS NULL OR (due_on IS NULL AND completed_on IS NULL)",
        )


def downgrade():
    with op.batch_alter_table("progress_updates", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("ck_progress_updates_milestone_fields_on_milestones"), type_="check"
        )
        batch_op.drop_column("completed_on")
        batch_op.drop_column("due_on")
