"""Review before publishing: a report that waits for a reviewer, the decision on it, and who
may review a city's reports besides the programme's leads."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, UTCDateTime, one_of, utcnow
from tracker.models.city import City
from tracker.models.user import User

ReviewKind = Literal["progress", "indicator", "milestone"]
Decision = Literal["approved", "returned"]
ReviewState = Literal["submitted", "approved", "returned"]
REVIEW_KINDS: tuple[str, ...] = get_args(ReviewKind)
DECISIONS: tuple[str, ...] = get_args(Decision)
REVIEW_STATES: tuple[str, ...] = get_args(ReviewState)
# Where a decision was taken: the review queue, the API, or an import approved as it was made.
DECIDED_THROUGH = ("queue", "api", "import")


class Review(Base):
    """A report entered while review is required: a progress update or milestone report (a row
    of progress_updates) or an indicator value. A report without one was approved on entry
    (review off, the seed files, everything stored before review began). The report itself is
    never edited; its decision is a record of its own."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int | None] = mapped_column(sa.ForeignKey("progress_updates.id"), unique=True)
    value_id: Mapped[int | None] = mapped_column(sa.ForeignKey("indicator_values.id"), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    # The city whose report it is; NULL for a report on a programme milestone (leads review it).
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    city: Mapped[City | None] = relationship()
    author: Mapped[User | None] = relationship()
    decision: Mapped[ReviewDecision | None] = relationship(back_populates="review", uselist=False)

    @property
    def state(self) -> str:
        return self.decision.decision if self.decision is not None else "submitted"

    __table_args__ = (
        one_of("kind", REVIEW_KINDS),
        sa.CheckConstraint("(update_id IS NULL) <> (value_id IS NULL)", name="one_report"),
    )


class ReviewDecision(Base):
    """A reviewer's decision on one report: approved, or returned with a comment for its
    author. One per report: a decision is final (the author answers a return by correcting)."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id"), unique=True)
    decision: Mapped[str] = mapped_column(sa.String(10))
    reviewer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reviewer: Mapped[str] = mapped_column(sa.String(254))  # the address, kept if the account goes
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    through: Mapped[str] = mapped_column(sa.String(10))

    review: Mapped[Review] = relationship(back_populates="decision")

    __table_args__ = (
        one_of("decision", DECISIONS),
        one_of("through", DECIDED_THROUGH),
        sa.CheckConstraint(
            "decision = 'approved' OR comment IS NOT NULL", name="returned_with_comment"
        ),
    )


class ReviewGrant(Base):
    """The review permission for one city, granted to a named account (a mentor city's staff
    for their mentees, say). Leads and administrators review every city without one."""

    __tablename__ = "review_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id"), index=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    city: Mapped[City] = relationship()

    __table_args__ = (sa.UniqueConstraint("user_id", "city_id"),)


def unapproved(column: Mapped[int | None]) -> sa.Select[Any]:
    """The ids (of progress updates or indicator values, as `column` is Review's) of reports
    that wait for a decision or were returned: everything else stands approved."""
    approved = sa.select(ReviewDecision.id).where(
        ReviewDecision.review_id == Review.id, ReviewDecision.decision == "approved"
    )
    return sa.select(column).where(column.is_not(None), ~approved.exists())
