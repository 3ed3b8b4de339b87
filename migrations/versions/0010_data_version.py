"""one counter of committed writes: dashboards cache what they render under its value

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 09:20:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "data_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_versions")),
        sa.CheckConstraint("id = 1", name=op.f("ck_data_versions_one_row")),
    )
    op.bulk_insert(table, [{"id": 1, "version": 1, "epoch": secrets.token_hex(8)}])


def downgrade():
    op.drop_table("data_versions")
