"""programme figures and German titles: what the programme itself published (deals signed,
cities at the close), each with its source, shown beside the tracker's own counts; German
titles of milestones and names of indicators, where their sources are German

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 00:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "programme_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("is_lower_bound", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=True),
        sa.Column("stated_on", sa.Date(), nullable=True),
        sa.Column("date_precision", sa.String(length=10), server_default="day", nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_url", sa.String(length=500), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('lgds_signed', 'cities_at_close', 'countries_at_close', 'core_cities', "
            "'first_signed_deals')",
            name=op.f("ck_programme_figures_kind_allowed"),
        ),
        sa.CheckConstraint(
            "date_precision IN ('day', 'month')",
            name=op.f("ck_programme_figures_date_precision_allowed"),
        ),
        sa.CheckConstraint("value >= 0", name=op.f("ck_programme_figures_value_not_negative")),
        sa.ForeignKeyConstraint(
            ["city_id"], ["cities.id"], name=op.f("fk_programme_figures_city_id_cities")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_figures_programme_id_programmes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_figures")),
        sa.UniqueConstraint(
            "programme_id", "slug", name=op.f("uq_programme_figures_programme_id_slug")
        ),
    )


    op.add_column("milestones", sa.Column("local_title", sa.String(length=300), nullable=True))
    op.add_column("indicators", sa.Column("local_name", sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table("indicators") as batch:
        batch.drop_column("local_name")
    with op.batch_alter_table("milestones") as batch:
        batch.drop_column("local_title")
    op.drop_table("programme_figures")
