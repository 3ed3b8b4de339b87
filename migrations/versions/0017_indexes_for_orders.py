"""indexes the overview reads in its lists' orders: actions by their last report (at risk:
latest first; gone stale: longest silent first, never reported last), the programme's own
milestones by date

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 17:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_actions_reported", "actions", ["last_reported_on", "id", "status"])
    op.create_index(
        "ix_actions_silence",
        "actions",
        [sa.text("(last_reported_on IS NULL)"), "last_reported_on", "id"],
    )
    op.create_index(
        "ix_milestones_programme_due",
        "milestones",
        ["programme_id", "due_on"],
        sqlite_where=sa.text("programme_id IS NOT NULL"),
        postgresql_where=sa.text("programme_id IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_milestones_programme_due", table_name="milestones")
    op.drop_index("ix_actions_silence", table_name="actions")
    op.drop_index("ix_actions_reported", table_name="actions")
