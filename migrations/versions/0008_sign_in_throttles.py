"""sign-in throttles: failed sign-ins counted per account and window

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 04:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_in_throttles",
        sa.Column("key", sa.String(length=254), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttles")),
    )


def downgrade():
    op.drop_table("sign_in_throttles")
