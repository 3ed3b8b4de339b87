"""what the Covenant of Mayors and CDP-ICLEI Track ask of an action, all optional: the
Covenant's sector, area of intervention, policy instrument and origin; start and end year; the
energy saved, renewable energy produced and greenhouse gas avoided per year, estimated and
achieved; and an action's costs per year and funding source (planned and spent, in EUR)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 21:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# The code lists as they stood at this revision (models/frameworks.py holds the current ones:
# a later change to a list comes with a migration of its own).
CODES = {
    "com_sector": (
        30,
        (
            "municipal_buildings",
            "tertiary_buildings",
            "residential_buildings",
            "public_lighting",
            "industry",
            "transport",
            "local_electricity",
            "local_heat_cold",
            "other",
        ),
    ),
    "com_area": (
        30,
        (
            "building_envelope",
            "renewables_heating",
            "efficient_heating",
            "efficient_lighting",
            "cleaner_vehicles",
            "electric_vehicles",
            "modal_shift_public",
            "modal_shift_active",
            "photovoltaics",
            "wind",
            "chp",
            "district_heating",
            "other",
        ),
    ),
    "com_instrument": (
        30,
        (
            "awareness_training",
            "energy_management",
            "certification_labelling",
            "grants_subsidies",
            "third_party_financing",
            "public_procurement",
            "building_standards",
            "land_use_planning",
            "mobility_planning",
            "other",
        ),
    ),
    "origin": (20, ("local_authority", "other")),
}
NUMBERS = (
    "savings_estimated_mwh",
    "savings_achieved_mwh",
    "renewables_estimated_mwh",
    "renewables_achieved_mwh",
    "ghg_estimated_t",
    "ghg_achieved_t",
)


def upgrade():
    for name, (length, _codes) in CODES.items():
        op.add_column("actions", sa.Column(name, sa.String(length=length), nullable=True))
    for name in ("start_year", "end_year"):
        op.add_column("actions", sa.Column(name, sa.Integer(), nullable=True))
    for name in NUMBERS:
        op.add_column("actions", sa.Column(name, sa.Double(), nullable=True))
    # A plain ADD COLUMN, as for reminders (0013): on SQLite the services check the codes.
    if op.get_bind().dialect.name != "sqlite":
        for name, (_length, codes) in CODES.items():
            allowed = ", ".join(f"'{c}'" for c in codes)
            op.create_check_constraint(
                f"ck_actions_{name}_allowed", "actions", f"{name} IN ({allowed})"
            )
        op.create_check_constraint(
            "ck_actions_years_ordered",
            "actions",
            "end_year IS NULL OR start_year IS NULL OR end_year >= start_year",
        )
    op.create_table(
        "action_costs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("funding_source", sa.String(length=20), nullable=False),
        sa.Column("planned_eur", sa.Double(), nullable=True),
        sa.Column("spent_eur", sa.Double(), nullable=True),
        sa.CheckConstraint(
            "funding_source IN ('own', 'national', 'regional', 'eu', 'private', 'other')",
            name=op.f("ck_action_costs_funding_source_allowed"),
        ),
        sa.CheckConstraint(
            "year BETWEEN 1990 AND 2100", name=op.f("ck_action_costs_year_range")
        ),
        sa.CheckConstraint(
            "(planned_eur IS NULL OR planned_eur >= 0) AND (spent_eur IS NULL OR spent_eur >= 0)",
            name=op.f("ck_action_costs_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_action_costs_action_id_actions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_costs")),
        sa.UniqueConstraint(
            "action_id",
            "year",
            "funding_source",
            name=op.f("uq_action_costs_action_id_year_funding_source"),
        ),
    )
    op.create_index(
        op.f("ix_action_costs_action_id"), "action_costs", ["action_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_action_costs_action_id"), table_name="action_costs")
    op.drop_table("action_costs")
    if op.get_bind().dialect.name != "sqlite":
        for name in (*CODES, "years"):
            suffix = "ordered" if name == "years" else "allowed"
            op.drop_constraint(f"ck_actions_{name}_{suffix}", "actions", type_="check")
    # SQLite (3.35 on) drops a column without a check of its own in place.
    for name in (*CODES, "start_year", "end_year", *NUMBERS):
        op.drop_column("actions", name)
