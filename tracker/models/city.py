"""The city aggregate: cities, their participation in programmes, and mentorships between them."""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, SourcedMixin, one_of
from tracker.models.programme import Programme, Sector, Theme

CITY_KINDS = ("city", "consortium", "region")
ParticipationRole = Literal["mentor", "core", "observer"]
PARTICIPATION_ROLES: tuple[str, ...] = get_args(ParticipationRole)


class City(SourcedMixin, Base):
    __tablename__ = "cities"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    local_name: Mapped[str | None] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20), default="city", server_default="city")
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    note: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    participations: Mapped[list[Participation]] = relationship(back_populates="city")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        one_of("kind", CITY_KINDS),
        sa.CheckConstraint("length(country) = 2 AND upper(country) = country", name="country_code"),
        sa.CheckConstraint(
            "latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude_range"
        ),
        sa.CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude_range"
        ),
        sa.CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="coordinates_paired"),
    )


class Participation(SourcedMixin, Base):
    """A city in a programme with a role. The date is when the source shows it as a member."""

    __tablename__ = "participations"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id"))
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    joined_on: Mapped[date]
    is_communications_ambassador: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    note: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    programme: Mapped[Programme] = relationship()
    city: Mapped[City] = relationship(back_populates="participations")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        one_of("role", PARTICIPATION_ROLES),
        sa.UniqueConstraint("programme_id", "city_id"),
        # Targets of the composite foreign keys that keep mentorships inside one programme.
        sa.UniqueConstraint("id", "programme_id"),
        sa.UniqueConstraint("id", "programme_id", "role"),
        # The overview's count of cities by role, read from the index alone.
        sa.Index(
            "ix_participations_programme_role",
            "programme_id",
            "role",
            "is_communications_ambassador",
        ),
    )


class Mentorship(SourcedMixin, Base):
    """Mentor participation -> mentee participation. The database itself keeps both ends in the
    same programme and the mentor in the mentor role, through composite foreign keys."""

    __tablename__ = "mentorships"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id"))
    mentor_id: Mapped[int] = mapped_column(index=True)
    mentor_role: Mapped[str] = mapped_column(
        sa.String(20), default="mentor", server_default="mentor"
    )
    mentee_id: Mapped[int] = mapped_column(index=True)
    since_on: Mapped[date]
    ended_on: Mapped[date | None]
    sector_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sectors.id"))
    theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("themes.id"))
    focus: Mapped[str | None] = mapped_column(sa.String(300))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    programme: Mapped[Programme] = relationship()
    mentor: Mapped[Participation] = relationship(
        primaryjoin="Mentorship.mentor_id == Participation.id", foreign_keys=[mentor_id]
    )
    mentee: Mapped[Participation] = relationship(
        primaryjoin="Mentorship.mentee_id == Participation.id", foreign_keys=[mentee_id]
    )
    sector: Mapped[Sector | None] = relationship()
    theme: Mapped[Theme | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["mentor_id", "programme_id", "mentor_role"],
            ["participations.id", "participations.programme_id", "participations.role"],
            name="fk_mentorships_mentor_participations",
        ),
        sa.ForeignKeyConstraint(
            ["mentee_id", "programme_id"],
            ["participations.id", "participations.programme_id"],
            name="fk_mentorships_mentee_participations",
        ),
        sa.CheckConstraint("mentor_role = 'mentor'", name="mentor_role_is_mentor"),
        sa.CheckConstraint("mentor_id <> mentee_id", name="not_self"),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= since_on", name="dates_ordered"),
        sa.UniqueConstraint("mentor_id", "mentee_id"),
    )
