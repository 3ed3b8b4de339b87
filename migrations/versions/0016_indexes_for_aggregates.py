"""indexes the dashboards' aggregates read alone: a city's last update, progress by sector,
what is overdue in all and per city

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 14:20:00

"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_actions_plan_reported", "actions", ["plan_id", "last_reported_on"])
    op.create_index(
        "ix_actions_sector_figures",
        "actions",
        ["sector_id", "is_demo", "percent_complete", "published_percent"],
    )
    op.create_index("ix_milestones_open_due", "milestones", ["completed_on", "due_on"])
    op.create_index(
        "ix_milestones_plan_open", "milestones", ["plan_id", "completed_on", "due_on", "lgd_step"]
    )


def downgrade():
    op.drop_index("ix_milestones_plan_open", table_name="milestones")
    op.drop_index("ix_milestones_open_due", table_name="milestones")
    op.drop_index("ix_actions_sector_figures", table_name="actions")
    op.drop_index("ix_actions_plan_reported", table_name="actions")
