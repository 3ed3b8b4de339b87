"""a person's language: German or English, else the browser's choice

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 07:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: users is referred to by other tables, which a batch rebuild would
    # have to drop and recreate while foreign keys are on.
    op.add_column("users", sa.Column("language", sa.String(length=5), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
