"""The plan aggregate: a city's plan (Local Green Deal or climate programme), its partners,
targets, actions and their indicators."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, get_args

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, SourcedMixin, UTCDateTime, one_of, utcnow
from tracker.models.city import City
from tracker.models.frameworks import (
    COM_AREAS,
    COM_INSTRUMENTS,
    COM_SECTORS,
    ORIGINS,
    ActionCost,
)
from tracker.models.programme import Milestone, Programme, Sector, Theme

# Each list of allowed values is a type (for the API's and the imports' shapes) and a tuple.
PlanKind = Literal["local_green_deal", "climate_programme", "action_programme"]
LgdStatus = Literal["planned", "in_preparation", "signed", "implementing", "completed"]
ActionStatus = Literal["not_started", "on_track", "at_risk", "delayed", "done", "cancelled"]
PartnerKind = Literal[
    "sme",
    "large_company",
    "university",
    "research",
    "association",
    "public_body",
    "municipal_company",
    "other",
]
PLAN_KINDS: tuple[str, ...] = get_args(PlanKind)
LGD_STATUSES: tuple[str, ...] = get_args(LgdStatus)
ACTION_STATUSES: tuple[str, ...] = get_args(ActionStatus)
PARTNER_KINDS: tuple[str, ...] = get_args(PartnerKind)


class Plan(SourcedMixin, Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id"), index=True)
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(30))
    title: Mapped[str] = mapped_column(sa.String(300))
    local_title: Mapped[str | None] = mapped_column(sa.String(300))
    summary: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str | None] = mapped_column(sa.String(20))
    started_on: Mapped[date | None]
    signed_on: Mapped[date | None]
    # The four elements of an ICC Local Green Deal.
    governance: Mapped[str | None] = mapped_column(sa.Text)
    actions_summary: Mapped[str | None] = mapped_column(sa.Text)
    integrated_goals: Mapped[str | None] = mapped_column(sa.Text)
    partnerships: Mapped[str | None] = mapped_column(sa.Text)
    # The latest report on any of its actions: kept by the database itself (triggers on
    # actions, migration 0018) in the write's own transaction, so a dashboard reads a row per
    # plan instead of every action. Never set by the app.
    last_reported_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    city: Mapped[City] = relationship()
    programme: Mapped[Programme | None] = relationship()
    actions: Mapped[list[Action]] = relationship(back_populates="plan", order_by="Action.position")
    partners: Mapped[list[Partner]] = relationship(back_populates="plan", order_by="Partner.name")
    targets: Mapped[list[PlanTarget]] = relationship(back_populates="plan")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="plan", order_by="Milestone.due_on"
    )

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def city_last_report(cls, city_id: Any) -> sa.ScalarSelect[Any]:
        """The latest report of the city `city_id` (a column or a value) on any action of its
        plans, read from their kept dates (ix_plans_city_reported)."""
        return (
            sa.select(sa.func.max(cls.last_reported_on))
            .where(cls.city_id == city_id)
            .scalar_subquery()
        )

    __table_args__ = (
        one_of("kind", PLAN_KINDS),
        one_of("status", LGD_STATUSES),
        sa.UniqueConstraint("city_id", "slug"),
        # Only a Local Green Deal has the LGD status scale; other plans have none.
        sa.CheckConstraint("kind = 'local_green_deal' OR status IS NULL", name="status_for_lgd"),
        # A city's last report, read from the index alone.
        sa.Index("ix_plans_city_reported", "city_id", "last_reported_on"),
        # The overview's count of deals by status, read from the index alone.
        sa.Index("ix_plans_programme_status", "programme_id", "kind", "status", "is_demo"),
    )


class PlanTarget(SourcedMixin, Base):
    """A headline target a plan commits to, e.g. -55 % greenhouse gas emissions by 2030."""

    __tablename__ = "plan_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80))
    title: Mapped[str] = mapped_column(sa.String(300))
    target_year: Mapped[int]
    value: Mapped[float | None]
    unit: Mapped[str | None] = mapped_column(sa.String(40))
    baseline_year: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(sa.Text)

    plan: Mapped[Plan] = relationship(back_populates="targets")

    __table_args__ = (sa.UniqueConstraint("plan_id", "slug"),)


class Partner(SourcedMixin, Base):
    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[str] = mapped_column(sa.String(30))
    commitment: Mapped[str | None] = mapped_column(sa.Text)
    signed_on: Mapped[date | None]
    # The id an imported row carried, so importing the same file again creates nothing.
    external_id: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    plan: Mapped[Plan] = relationship(back_populates="partners")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (one_of("kind", PARTNER_KINDS), sa.UniqueConstraint("plan_id", "name"))


class Action(SourcedMixin, Base):
    """One measure of a plan. Status and percent mirror its latest progress update; both stay
    empty until the first update, so no state is claimed that nobody reported."""

    @classmethod
    def state_columns(
        cls, approved: bool
    ) -> tuple[Mapped[str | None], Mapped[int | None], Mapped[date | None]]:
        """Status, percent and last reported date: as reported (signed-in pages), or as the
        approved reports alone state them (the public view, "approved only")."""
        if approved:
            return cls.published_status, cls.published_percent, cls.published_reported_on
        return cls.status, cls.percent_complete, cls.last_reported_on

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    title: Mapped[str] = mapped_column(sa.String(300))
    local_title: Mapped[str | None] = mapped_column(sa.String(300))
    description: Mapped[str | None] = mapped_column(sa.Text)
    sector_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sectors.id"), index=True)
    theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("themes.id"), index=True)
    lead_organisation: Mapped[str | None] = mapped_column(sa.String(300))
    starts_on: Mapped[date | None]
    due_on: Mapped[date | None]
    status: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    percent_complete: Mapped[int | None]
    last_reported_on: Mapped[date | None]
    # The same three as the approved reports alone state them: what the public view shows
    # (services/published.py keeps them; equal to the three above while nothing awaits review).
    published_status: Mapped[str | None] = mapped_column(sa.String(20))
    published_percent: Mapped[int | None]
    published_reported_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # What the Covenant of Mayors and CDP ask (models/frameworks.py; all optional): the
    # Covenant's codes, the years, and the impacts estimated and achieved, per year.
    com_sector: Mapped[str | None] = mapped_column(sa.String(30))
    com_area: Mapped[str | None] = mapped_column(sa.String(30))
    com_instrument: Mapped[str | None] = mapped_column(sa.String(30))
    origin: Mapped[str | None] = mapped_column(sa.String(20))
    start_year: Mapped[int | None]
    end_year: Mapped[int | None]
    savings_estimated_mwh: Mapped[float | None]
    savings_achieved_mwh: Mapped[float | None]
    renewables_estimated_mwh: Mapped[float | None]
    renewables_achieved_mwh: Mapped[float | None]
    ghg_estimated_t: Mapped[float | None]
    ghg_achieved_t: Mapped[float | None]

    plan: Mapped[Plan] = relationship(back_populates="actions")
    sector: Mapped[Sector | None] = relationship()
    theme: Mapped[Theme | None] = relationship()
    indicators: Mapped[list[Indicator]] = relationship(back_populates="action")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="action", order_by="Milestone.due_on"
    )
    costs: Mapped[list[ActionCost]] = relationship(
        order_by="(ActionCost.year, ActionCost.funding_source)", viewonly=True
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        one_of("status", ACTION_STATUSES),
        sa.CheckConstraint(
            "percent_complete IS NULL OR percent_complete BETWEEN 0 AND 100", name="percent_range"
        ),
        sa.CheckConstraint(
            "due_on IS NULL OR starts_on IS NULL OR due_on >= starts_on", name="dates_ordered"
        ),
        one_of("com_sector", COM_SECTORS),
        one_of("com_area", COM_AREAS),
        one_of("com_instrument", COM_INSTRUMENTS),
        one_of("origin", ORIGINS),
        sa.CheckConstraint(
            "end_year IS NULL OR start_year IS NULL OR end_year >= start_year",
            name="years_ordered",
        ),
        sa.UniqueConstraint("plan_id", "slug"),
        # The dashboards' aggregates read these from the index alone: a city's last update,
        # and progress by sector (the latest and the published figures, demo apart).
        sa.Index("ix_actions_plan_reported", "plan_id", "last_reported_on"),
        sa.Index(
            "ix_actions_sector_figures",
            "sector_id",
            "is_demo",
            "percent_complete",
            "published_percent",
        ),
        # The attention lists in their orders, read a page at a time from the index: at risk
        # with the latest report first; gone stale with the longest silent first, never
        # reported last.
        sa.Index("ix_actions_reported", "last_reported_on", "id", "status"),
        sa.Index(
            "ix_actions_silence",
            sa.text("(last_reported_on IS NULL)"),
            "last_reported_on",
            "id",
        ),
    )


class Indicator(SourcedMixin, Base):
    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("actions.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80))
    name: Mapped[str] = mapped_column(sa.String(300))
    local_name: Mapped[str | None] = mapped_column(sa.String(300))  # its German name
    unit: Mapped[str] = mapped_column(sa.String(40))
    baseline_value: Mapped[float | None]
    baseline_on: Mapped[date | None]
    target_value: Mapped[float | None]
    target_on: Mapped[date | None]
    description: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    action: Mapped[Action] = relationship(back_populates="indicators")
    # The effective values: those not withdrawn by a correction of the update that reported them.
    values: Mapped[list[IndicatorValue]] = relationship(
        primaryjoin=lambda: _effective_values_join(),
        order_by="IndicatorValue.measured_on",
        viewonly=True,
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (sa.UniqueConstraint("action_id", "slug"),)


class IndicatorValue(SourcedMixin, Base):
    __tablename__ = "indicator_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicators.id"), index=True)
    measured_on: Mapped[date]
    value: Mapped[float]
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The progress update that reported this value, if one did: a correction of that update
    # withdraws the value with it.
    progress_update_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("progress_updates.id"), index=True
    )

    indicator: Mapped[Indicator] = relationship()

    @classmethod
    def effective(cls) -> sa.ColumnElement[bool]:
        """True for values whose reporting update (if any) is still effective (SQL)."""
        updates = Base.metadata.tables["progress_updates"]  # declared in models/progress.py
        return (
            ~sa.select(updates.c.id).where(updates.c.corrects_id == cls.progress_update_id).exists()
        )


def _effective_values_join() -> sa.ColumnElement[bool]:
    return sa.and_(Indicator.id == IndicatorValue.indicator_id, IndicatorValue.effective())
