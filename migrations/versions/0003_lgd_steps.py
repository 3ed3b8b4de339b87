"""lgd steps: a city's deal milestone can be one of the shared Local Green Deal steps

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 16:55:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STEPS = (
    "'team-set-up', 'commitments-identified', 'partners-engaged', 'deal-signed', "
    "'implementation-under-way'"
)


def upgrade():
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lgd_step", sa.String(length=40), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_milestones_lgd_step_allowed"), f"lgd_step IN ({STEPS})"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_milestones_plan_id_lgd_step"), ["plan_id", "lgd_step"]
        )


def downgrade():
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_milestones_plan_id_lgd_step"), type_="unique")
        batch_op.drop_constraint(op.f("ck_milestones_lgd_step_allowed"), type_="check")
        batch_op.drop_column("lgd_step")
