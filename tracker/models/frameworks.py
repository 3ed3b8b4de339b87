"""What the Covenant of Mayors and CDP-ICLEI Track ask of a mitigation action, beyond the
tracker's own fields: the Covenant's code lists (sector, area of intervention, policy
instrument, origin), and an action's costs per year with their funding source. The crosswalk
(docs/crosswalk.md) says where each comes from and goes to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, get_args

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, one_of

if TYPE_CHECKING:
    from tracker.models.plan import Action

# The Covenant's sectors of a mitigation action (SECAP template, action plan).
COM_SECTORS: tuple[str, ...] = (
    "municipal_buildings",
    "tertiary_buildings",
    "residential_buildings",
    "public_lighting",
    "industry",
    "transport",
    "local_electricity",
    "local_heat_cold",
    "other",
)
# Areas of intervention, each under the sectors it belongs to.
COM_AREAS: dict[str, tuple[str, ...]] = {
    "building_envelope": ("municipal_buildings", "tertiary_buildings", "residential_buildings"),
    "renewables_heating": ("municipal_buildings", "tertiary_buildings", "residential_buildings"),
    "efficient_heating": ("municipal_buildings", "tertiary_buildings", "residential_buildings"),
    "efficient_lighting": (
        "municipal_buildings",
        "tertiary_buildings",
        "residential_buildings",
        "public_lighting",
    ),
    "cleaner_vehicles": ("transport",),
    "electric_vehicles": ("transport",),
    "modal_shift_public": ("transport",),
    "modal_shift_active": ("transport",),
    "photovoltaics": ("local_electricity",),
    "wind": ("local_electricity",),
    "chp": ("local_electricity", "local_heat_cold"),
    "district_heating": ("local_heat_cold",),
    "other": COM_SECTORS,
}
COM_INSTRUMENTS: tuple[str, ...] = (
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
)
ORIGINS: tuple[str, ...] = ("local_authority", "other")
FundingSource = Literal["own", "national", "regional", "eu", "private", "other"]
FUNDING_SOURCES: tuple[str, ...] = get_args(FundingSource)
# The funding sources whose money the city leveraged rather than earmarked from its budget.
LEVERAGED: tuple[str, ...] = tuple(s for s in FUNDING_SOURCES if s != "own")

# An action's columns for the frameworks, in the order forms, exports and imports use.
CODED = ("com_sector", "com_area", "com_instrument", "origin")
IMPACTS = (
    "savings_estimated_mwh",
    "savings_achieved_mwh",
    "renewables_estimated_mwh",
    "renewables_achieved_mwh",
    "ghg_estimated_t",
    "ghg_achieved_t",
)
FIELDS = (*CODED, "start_year", "end_year", *IMPACTS)

# The tracker's statuses as each framework words an action's implementation (None: it has no
# equivalent, and the export leaves the cell empty).
COVENANT_STATUS: dict[str, str | None] = {
    "not_started": "Not started",
    "on_track": "Ongoing",
    "at_risk": "Ongoing",
    "delayed": "Ongoing",
    "done": "Completed",
    "cancelled": None,
}
CDP_STATUS: dict[str, str | None] = {
    "not_started": "Pre-implementation",
    "on_track": "Implementation",
    "at_risk": "Implementation",
    "delayed": "Implementation",
    "done": "Implementation complete",
    "cancelled": None,
}


class ActionCost(Base):
    """An action's cost in one year, in EUR: planned, and spent so far, by funding source."""

    __tablename__ = "action_costs"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("actions.id"), index=True)
    year: Mapped[int]
    funding_source: Mapped[str] = mapped_column(sa.String(20))
    planned_eur: Mapped[float | None]
    spent_eur: Mapped[float | None]

    action: Mapped[Action] = relationship(viewonly=True)

    __table_args__ = (
        sa.UniqueConstraint("action_id", "year", "funding_source"),
        one_of("funding_source", FUNDING_SOURCES),
        sa.CheckConstraint("year BETWEEN 1990 AND 2100", name="year_range"),
        sa.CheckConstraint(
            "(planned_eur IS NULL OR planned_eur >= 0) AND (spent_eur IS NULL OR spent_eur >= 0)",
            name="not_negative",
        ),
    )
