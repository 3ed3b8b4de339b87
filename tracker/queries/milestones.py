"""Milestones read: their state as SQL, their reports and moves, the filtered list and the
summary of slips per step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from tracker.extensions import db
from tracker.models import (
    Action,
    City,
    Milestone,
    MilestoneTotal,
    Plan,
    ProgressUpdate,
    Sector,
)
from tracker.models.programme import LGD_STEPS
from tracker.queries import keyset
from tracker.queries.cities import Area
from tracker.vocabulary import STEP_TITLES


def state_expression(
    today: date, soon_days: int, *, approved: bool = False
) -> sa.ColumnElement[str]:
    """The same rule as `milestone_state`, as SQL, so dashboards can group by it; `approved`:
    as the approved reports alone state the milestone (the public view)."""
    due_on, completed_on = Milestone.state_columns(approved)
    return sa.case(
        (completed_on.is_not(None), "done"),
        (due_on < today, "overdue"),
        (due_on <= today + timedelta(days=soon_days), "due_soon"),
        else_="upcoming",
    )


def history(milestone_id: int) -> list[ProgressUpdate]:
    return list(
        db.session.scalars(
            sa.select(ProgressUpdate)
            .where(ProgressUpdate.milestone_id == milestone_id)
            .options(selectinload(ProgressUpdate.author))
            .order_by(ProgressUpdate.id.desc())
        )
    )


def moves(milestone_ids: list[int]) -> list[ProgressUpdate]:
    """The due-date moves of these milestones, in the order they were made."""
    return list(
        db.session.scalars(
            sa.select(ProgressUpdate)
            .where(
                ProgressUpdate.milestone_id.in_(milestone_ids), ProgressUpdate.due_on.is_not(None)
            )
            .order_by(ProgressUpdate.id)
        )
    )


MILESTONE_SORTS = ("due", "slip")
PROGRAMME = "programme"  # the step filter's value for the programme's own milestones


@dataclass
class MilestoneFilter(Area):
    city: str | None = None
    state: str | None = None
    step: str | None = None  # a shared deal step, or PROGRAMME
    moved: bool = False  # only milestones whose due date is not their first planned date
    sort: str = "due"


@dataclass
class MilestoneRow:
    milestone: Milestone
    state: str
    city_name: str | None
    city_slug: str | None
    moves: int

    @property
    def slip(self) -> int:
        """Days from the first planned date to the due date: later is positive."""
        return (self.milestone.due_on - self.milestone.planned_on).days


LISTING_LIMIT = 400


def slip_days(
    due_on: Any = Milestone.due_on, planned_on: Any = Milestone.planned_on
) -> sa.ColumnElement[int]:
    """The slip in days as SQL (SQLite keeps dates as text: julianday counts them)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.cast(sa.func.julianday(due_on) - sa.func.julianday(planned_on), sa.Integer)
    return sa.type_coerce(due_on - planned_on, sa.Integer)


def with_owner_city(query: sa.Select[Any]) -> tuple[sa.Select[Any], Any]:
    """`query` joined to each milestone's city (through its plan or its action's plan)."""
    action_plan = aliased(Plan)
    city_id = sa.func.coalesce(Plan.city_id, action_plan.city_id)
    return (
        query.outerjoin(Plan, Milestone.plan_id == Plan.id)
        .outerjoin(Action, Milestone.action_id == Action.id)
        .outerjoin(action_plan, Action.plan_id == action_plan.id)
        .outerjoin(City, City.id == city_id)
    ), city_id


def _narrowed(
    query: sa.Select[Any], filters: MilestoneFilter, state: sa.ColumnElement[str]
) -> sa.Select[Any]:
    """`query` (which joins the owners' cities when a filter is about them) narrowed by every
    filter."""
    if filters.city:
        query = query.where(City.slug == filters.city)
    if filters.country:
        query = query.where(City.country == filters.country)
    if filters.state:
        query = query.where(state == filters.state)
    if filters.step == PROGRAMME:
        query = query.where(Milestone.programme_id.is_not(None))
    elif filters.step:
        query = query.where(Milestone.lgd_step == filters.step)
    if filters.moved:
        query = query.where(Milestone.due_on != Milestone.planned_on)
    if filters.sector:
        in_sector = (
            sa.select(Action.id)
            .join(Sector, Action.sector_id == Sector.id)
            .where(
                Sector.slug == filters.sector,
                sa.or_(Action.id == Milestone.action_id, Action.plan_id == Milestone.plan_id),
            )
            .exists()
        )
        query = query.where(in_sector)
    return query


def listing(
    filters: MilestoneFilter,
    today: date,
    soon_days: int,
    *,
    limit: int | None = LISTING_LIMIT,
    offset: int = 0,
    after: int | None = None,
) -> tuple[list[MilestoneRow], int | None]:
    """Programme and city milestones, filtered, with their state and how often each moved;
    a page of them in the order asked (by due date, or the largest slip first), and the full
    count. By due date, `after` (a milestone's id) starts the page after that milestone, and
    the list is not counted (None)."""
    state = state_expression(today, soon_days)
    # Counted for the rows shown only (through the milestone_id index), not for every update.
    moves = (
        sa.select(sa.func.count())
        .where(ProgressUpdate.milestone_id == Milestone.id, ProgressUpdate.due_on.is_not(None))
        .correlate(Milestone)
        .scalar_subquery()
    )
    query, _city_id = with_owner_city(sa.select(Milestone, state, City.name, City.slug, moves))
    query = _narrowed(query, filters, state)
    total = None
    if after is None:
        # The count joins the owners' cities only when a filter is about them.
        counted = sa.select(sa.func.count(Milestone.id))
        if filters.city or filters.country:
            counted = with_owner_city(counted)[0]
        total = db.session.scalar(_narrowed(counted, filters, state)) or 0
    order: list[Any] = [Milestone.due_on, Milestone.id]
    if filters.sort == "slip":
        order = [slip_days().desc(), *order]
    elif after is not None:
        later = keyset.following(order, after)
        if later is None:
            return [], None
        query = query.where(later)
    query = query.order_by(*order).limit(limit)
    rows = db.session.execute(query.offset(offset) if offset else query).all()
    return [MilestoneRow(m, s, name, slug, n or 0) for m, s, name, slug, n in rows], total


@dataclass
class SummaryRow:
    """One shared deal step across the cities, or one programme milestone: how many are done,
    on time (not due yet) and late, and how their slips spread (in days)."""

    key: str  # the step, or the programme milestone's id
    title: str
    milestone_id: int | None  # a programme milestone's own page
    done: int = 0
    on_time: int = 0
    late: int = 0
    slips: dict[int, int] = field(default_factory=dict)  # slip in days -> how many

    @property
    def total(self) -> int:
        return self.done + self.on_time + self.late

    @property
    def moved(self) -> int:
        return sum(n for slip, n in self.slips.items() if slip)

    def slip_quantiles(self) -> tuple[int, int, int, int, int]:
        return five_numbers(self.slips)


def five_numbers(counts: Mapping[int, int]) -> tuple[int, int, int, int, int]:
    """The least, lower quartile, median, upper quartile and largest of values given as
    value -> how many (nearest rank); all zero when there is none."""
    values = sorted((v, n) for v, n in counts.items() if n)
    total = sum(n for _v, n in values)
    if not total:
        return (0, 0, 0, 0, 0)

    def at(share: float) -> int:
        wanted = round(share * (total - 1))
        seen = 0
        for value, n in values:
            seen += n
            if seen > wanted:
                return value
        return values[-1][0]

    return at(0), at(0.25), at(0.5), at(0.75), at(1)


SUMMARY_STATES = {"done": "done", "overdue": "late", "due_soon": "on_time", "upcoming": "on_time"}


def _kept_steps(filters: MilestoneFilter, today: date, soon_days: int) -> sa.Select[Any]:
    """The shared deal steps' part of the summary from the counts the database keeps per step,
    due date, first planned date and done or not (milestone_totals): a row per date, however
    many cities. Only for filters that are about the milestone itself."""
    t = MilestoneTotal
    state = sa.case(
        (t.done, "done"),
        (t.due_on < today, "overdue"),
        (t.due_on <= today + timedelta(days=soon_days), "due_soon"),
        else_="upcoming",
    )
    slip = slip_days(t.due_on, t.planned_on)
    query = sa.select(
        t.lgd_step.label("key"),
        sa.null().label("title"),
        sa.func.min(t.due_on).label("due_on"),
        sa.null().label("programme_id"),
        state.label("state"),
        slip.label("slip"),
        sa.func.sum(t.n).label("n"),
    ).where(t.lgd_step != "", t.n > 0)
    if filters.state:
        query = query.where(state == filters.state)
    if filters.step:
        query = query.where(t.lgd_step == filters.step)
    if filters.moved:
        query = query.where(t.due_on != t.planned_on)
    return query.group_by(t.lgd_step, state, slip)


def summary(filters: MilestoneFilter, today: date, soon_days: int) -> list[SummaryRow]:
    """The shared deal steps (in their order) then the programme's milestones (by due date),
    each summed over the milestones the filters keep: a constant number of rows whatever the
    number of cities. The cities' other milestones are not summed here. Unless a filter is
    about the milestones' cities, the steps are read from the kept counts (`_kept_steps`)."""
    state = state_expression(today, soon_days)
    slip = slip_days()
    by_city = bool(filters.city or filters.country or filters.sector)
    key = sa.case(
        (Milestone.lgd_step.is_not(None), Milestone.lgd_step),
        else_=sa.cast(Milestone.id, sa.String),
    )
    query = sa.select(
        key.label("key"),
        sa.func.min(Milestone.title).label("title"),
        sa.func.min(Milestone.due_on).label("due_on"),
        sa.func.min(Milestone.programme_id).label("programme_id"),
        state.label("state"),
        slip.label("slip"),
        sa.func.count().label("n"),
    ).where(
        sa.or_(Milestone.lgd_step.is_not(None), Milestone.programme_id.is_not(None))
        if by_city
        else Milestone.programme_id.is_not(None)
    )
    if by_city:
        query = with_owner_city(query)[0]
    query = _narrowed(query, filters, state).group_by(key, state, slip)
    if not by_city and filters.step != PROGRAMME:
        union = sa.union_all(query, _kept_steps(filters, today, soon_days)).subquery()
        query = sa.select(union)
    rows: dict[str, SummaryRow] = {}
    due: dict[str, date] = {}
    for row_key, title, due_on, programme_id, row_state, row_slip, count in db.session.execute(
        query
    ):
        is_step = row_key in LGD_STEPS
        row = rows.setdefault(
            row_key,
            SummaryRow(
                row_key,
                str(STEP_TITLES[row_key]) if is_step else title,
                None if is_step or programme_id is None else int(row_key),
            ),
        )
        due[row_key] = min(due.get(row_key, due_on), due_on)
        bucket = SUMMARY_STATES[row_state]
        setattr(row, bucket, getattr(row, bucket) + int(count))
        row.slips[int(row_slip or 0)] = row.slips.get(int(row_slip or 0), 0) + int(count)
    steps = [rows[s] for s in LGD_STEPS if s in rows]
    others = sorted((r for r in rows.values() if r.key not in LGD_STEPS), key=lambda r: due[r.key])
    return steps + others
