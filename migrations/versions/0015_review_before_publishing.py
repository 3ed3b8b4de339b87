"""review before publishing: reports entered while review is required wait for a decision
(approved, or returned with a comment); the published state of actions and milestones (what
the approved reports alone say); review permissions per city; how a reviewer hears of new
submissions. Everything stored before counts as approved: it has no review record.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("actions", sa.Column("published_status", sa.String(length=20), nullable=True))
    op.add_column("actions", sa.Column("published_percent", sa.Integer(), nullable=True))
    op.add_column("actions", sa.Column("published_reported_on", sa.Date(), nullable=True))
    op.add_column("milestones", sa.Column("published_due_on", sa.Date(), nullable=True))
    op.add_column("milestones", sa.Column("published_completed_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE actions SET published_status = status, published_percent = percent_complete,"
        " published_reported_on = last_reported_on"
    )
    op.execute(
        "UPDATE milestones SET published_due_on = due_on, published_completed_on = completed_on"
    )
    # A plain ADD COLUMN, as for reminders (0013): on SQLite the service checks the choice.
    op.add_column(
        "users",
        sa.Column("review_mail", sa.String(length=10), server_default="digest", nullable=False),
    )
    if op.get_bind().dialect.name != "sqlite":
        op.create_check_constraint(
            op.f("ck_users_review_mail_allowed"), "users", "review_mail IN ('digest', 'immediate')"
        )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=True),
        sa.Column("value_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('progress', 'indicator', 'milestone')", name=op.f("ck_reviews_kind_allowed")
        ),
        sa.CheckConstraint(
            "(update_id IS NULL) <> (value_id IS NULL)", name=op.f("ck_reviews_one_report")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_reviews_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["city_id"], ["cities.id"], name=op.f("fk_reviews_city_id_cities")),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["progress_updates.id"],
            name=op.f("fk_reviews_update_id_progress_updates"),
        ),
        sa.ForeignKeyConstraint(
            ["value_id"],
            ["indicator_values.id"],
            name=op.f("fk_reviews_value_id_indicator_values"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("update_id", name=op.f("uq_reviews_update_id")),
        sa.UniqueConstraint("value_id", name=op.f("uq_reviews_value_id")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviews_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviews_city_id"), ["city_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviews_submitted_at"), ["submitted_at"], unique=False)
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reviewer", sa.String(length=254), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("through", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "decision IN ('approved', 'returned')",
            name=op.f("ck_review_decisions_decision_allowed"),
        ),
        sa.CheckConstraint(
            "through IN ('queue', 'api', 'import')",
            name=op.f("ck_review_decisions_through_allowed"),
        ),
        sa.CheckConstraint(
            "decision = 'approved' OR comment IS NOT NULL",
            name=op.f("ck_review_decisions_returned_with_comment"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_review_decisions_review_id_reviews")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_review_decisions_reviewer_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decisions")),
        sa.UniqueConstraint("review_id", name=op.f("uq_review_decisions_review_id")),
    )
    with op.batch_alter_table("review_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_decisions_reviewer_id"), ["reviewer_id"], unique=False
        )
    op.create_table(
        "review_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_id"], ["cities.id"], name=op.f("fk_review_grants_city_id_cities")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_review_grants_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_grants")),
        sa.UniqueConstraint("user_id", "city_id", name=op.f("uq_review_grants_user_id_city_id")),
    )
    with op.batch_alter_table("review_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_grants_city_id"), ["city_id"], unique=False)


def downgrade():
    op.drop_table("review_grants")
    op.drop_table("review_decisions")
    op.drop_table("reviews")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_users_review_mail_allowed"), "users", type_="check")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("review_mail")
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_column("published_completed_on")
        batch_op.drop_column("published_due_on")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_column("published_reported_on")
        batch_op.drop_column("published_percent")
        batch_op.drop_column("published_status")
