"""reminders: each person's choice (daily, weekly, none) and the outgoing mail decided on,
recorded before it is sent

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 14:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: users is referred to by other tables, which a batch rebuild would
    # have to drop and recreate while foreign keys are on. SQLite cannot add a CHECK to a
    # table in place, so there the service's own check (accounts.set_reminders) is the guard.
    op.add_column(
        "users",
        sa.Column("reminders", sa.String(length=10), server_default="weekly", nullable=False),
    )
    if op.get_bind().dialect.name != "sqlite":
        op.create_check_constraint(
            op.f("ck_users_reminders_allowed"), "users", "reminders IN ('daily', 'weekly', 'none')"
        )
    op.create_table(
        "outgoing_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("unsubscribe_url", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_outgoing_mail_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_mail")),
        sa.UniqueConstraint(
            "user_id", "kind", "period", name=op.f("uq_outgoing_mail_user_id_kind_period")
        ),
    )
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outgoing_mail_user_id"), ["user_id"], unique=False)


def downgrade():
    op.drop_table("outgoing_mail")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_users_reminders_allowed"), "users", type_="check")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("reminders")
