"""The programme aggregate: a challenge cycle, its phases, its vocabulary and its milestones."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, SourcedMixin, one_of

if TYPE_CHECKING:
    from tracker.models.city import City
    from tracker.models.plan import Action, Plan

SECTOR_TIERS = ("key", "secondary")
# The shared steps of a Local Green Deal that the cohort view compares across cities.
LGD_STEPS = (
    "team-set-up",
    "commitments-identified",
    "partners-engaged",
    "deal-signed",
    "implementation-under-way",
)
DATE_PRECISIONS = ("day", "month")
# What a figure the programme itself published counts; each kind has its sentence on the pages.
FIGURE_KINDS = (
    "lgds_signed",  # Local Green Deals signed across the programme
    "cities_at_close",  # cities at the closing conference
    "countries_at_close",  # the countries those cities came from
    "core_cities",  # core cities, as a programme statement counted them
    "first_signed_deals",  # the deals of the first core city to sign (city_id)
)


class Programme(SourcedMixin, Base):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    declared_core_cities: Mapped[int | None]
    declared_mentor_cities: Mapped[int | None]
    lgd_target: Mapped[int | None]
    description: Mapped[str | None] = mapped_column(sa.Text)

    phases: Mapped[list[Phase]] = relationship(
        back_populates="programme", order_by="Phase.position"
    )

    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),)


class Phase(SourcedMixin, Base):
    __tablename__ = "phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id"))
    slug: Mapped[str] = mapped_column(sa.String(60))
    name: Mapped[str] = mapped_column(sa.String(200))
    position: Mapped[int]
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    description: Mapped[str | None] = mapped_column(sa.Text)

    programme: Mapped[Programme] = relationship(back_populates="phases")

    __table_args__ = (sa.UniqueConstraint("programme_id", "slug"),)


class ProgrammeFigure(SourcedMixin, Base):
    """A figure the programme itself published (over 200 deals signed, 88 cities at the close),
    shown beside the tracker's own counts as a sourced fact, never mixed into them."""

    __tablename__ = "programme_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id"))
    slug: Mapped[str] = mapped_column(sa.String(60))
    kind: Mapped[str] = mapped_column(sa.String(40))
    value: Mapped[int]
    # "over 200": the figure is a lower bound.
    is_lower_bound: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id"))
    stated_on: Mapped[date | None]
    date_precision: Mapped[str] = mapped_column(sa.String(10), default="day", server_default="day")
    note: Mapped[str | None] = mapped_column(sa.Text)

    city: Mapped[City | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "slug"),
        one_of("kind", FIGURE_KINDS),
        one_of("date_precision", DATE_PRECISIONS),
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
    )


class Sector(SourcedMixin, Base):
    __tablename__ = "sectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    tier: Mapped[str] = mapped_column(sa.String(20))
    has_expert: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    __table_args__ = (one_of("tier", SECTOR_TIERS),)


class Theme(SourcedMixin, Base):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))


def _inserted(context: Any, name: str) -> Any:
    """The value a column is inserted with (for the published copy of it)."""
    return context.get_current_parameters().get(name)


class Milestone(SourcedMixin, Base):
    """A dated target of the programme, of a city's plan or of one action (exactly one owner)."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("actions.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    local_title: Mapped[str | None] = mapped_column(sa.String(300))  # its German title
    description: Mapped[str | None] = mapped_column(sa.Text)
    location: Mapped[str | None] = mapped_column(sa.String(200))
    planned_on: Mapped[date]
    due_on: Mapped[date]
    ends_on: Mapped[date | None]
    date_precision: Mapped[str] = mapped_column(sa.String(10), default="day", server_default="day")
    completed_on: Mapped[date | None]
    # The due date and completion as the approved reports alone state them (the public view):
    # set from the two above when the milestone is made, then by each approved report.
    published_due_on: Mapped[date | None] = mapped_column(
        default=lambda ctx: _inserted(ctx, "due_on")
    )
    published_completed_on: Mapped[date | None] = mapped_column(
        default=lambda ctx: _inserted(ctx, "completed_on")
    )
    # Which shared Local Green Deal step this milestone of a city's deal is, if any.
    lgd_step: Mapped[str | None] = mapped_column(sa.String(40))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    programme: Mapped[Programme | None] = relationship()
    plan: Mapped[Plan | None] = relationship(back_populates="milestones")
    action: Mapped[Action | None] = relationship(back_populates="milestones")

    @classmethod
    def state_columns(cls, approved: bool) -> tuple[Mapped[Any], Mapped[date | None]]:
        """Due date and completion: as reported, or as the approved reports alone state them."""
        if approved:
            return cls.published_due_on, cls.published_completed_on
        return cls.due_on, cls.completed_on

    @property
    def owner_city(self) -> City | None:
        """The city whose plan or action this milestone belongs to; None for the programme's."""
        if self.plan is not None:
            return self.plan.city
        return self.action.plan.city if self.action is not None else None

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN programme_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN plan_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN action_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_owner",
        ),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= due_on", name="ends_after_due"),
        one_of("date_precision", DATE_PRECISIONS),
        one_of("lgd_step", LGD_STEPS),
        sa.UniqueConstraint("plan_id", "lgd_step"),
        # Lists go by due date: a page of them reads only its rows.
        sa.Index("ix_milestones_due_on_id", "due_on", "id"),
        # What is overdue, in all and per city, read from the index alone.
        sa.Index("ix_milestones_open_due", "completed_on", "due_on"),
        sa.Index("ix_milestones_plan_open", "plan_id", "completed_on", "due_on", "lgd_step"),
        # The programme's own milestones in date order (the overview's timeline and its next
        # milestone), not found by walking every city's milestones by date. Partial: the
        # cities' milestones have no programme, and counted in they made the index look
        # unselective to the planner.
        sa.Index(
            "ix_milestones_programme_due",
            "programme_id",
            "due_on",
            sqlite_where=sa.text("programme_id IS NOT NULL"),
            postgresql_where=sa.text("programme_id IS NOT NULL"),
        ),
    )
