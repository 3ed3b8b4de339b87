"""milestones listed by due date: an index in that order, so a page of the list reads only its rows

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 11:15:00

"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_milestones_due_on_id", "milestones", ["due_on", "id"])


def downgrade():
    op.drop_index("ix_milestones_due_on_id", table_name="milestones")
