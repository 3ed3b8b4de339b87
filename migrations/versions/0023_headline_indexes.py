"""indexes the overview's headline counts read alone: the programme's deals by status (demo
or not) and its cities by role (communications ambassadors or not), whatever their number

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08 04:00:00

"""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_plans_programme_status", "plans", ["programme_id", "kind", "status", "is_demo"]
    )
    op.create_index(
        "ix_participations_programme_role",
        "participations",
        ["programme_id", "role", "is_communications_ambassador"],
    )


def downgrade():
    op.drop_index("ix_participations_programme_role", table_name="participations")
    op.drop_index("ix_plans_programme_status", table_name="plans")
