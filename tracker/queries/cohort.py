"""The cohort matrix: every core city against the shared Local Green Deal steps."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.models import Action, City, Mentorship, Milestone, Participation, Plan, Programme
from tracker.models.programme import LGD_STEPS
from tracker.queries import EVERYTHING, Shown
from tracker.vocabulary import STEP_TITLES  # noqa: F401 (the steps' names, used by the views)

# The shared steps' names, in the request's language (str() them where a string is needed).
SORTS = ("name", "country", "mentor", "progress", "lateness")
STEP_STATES = ("done", "on_time", "late", "not_started")


@dataclass
class CohortRow:
    slug: str
    name: str
    country: str
    mentors: str | None
    progress: float | None
    plan_id: int | None
    states: list[str] = field(default_factory=list)
    mentor_slugs: frozenset[str] = frozenset()
    actions: int = 0
    reporting: int = 0  # of its actions, those with a reported percent (the average's base)
    # Days since the due date of its longest-overdue late step (0 when none is late).
    overdue_days: int = 0

    @property
    def done(self) -> int:
        return self.states.count("done")

    @property
    def late(self) -> int:
        return self.states.count("late")


@dataclass(frozen=True)
class CohortFilter:
    late: bool = False
    state: str | None = None  # cities with at least one step in this state
    country: str | None = None
    mentor: str | None = None  # a mentor city's slug
    sort: str = "name"
    approved: bool = False  # as the approved reports alone state it (the public view's data)

    @property
    def narrows(self) -> bool:
        return bool(self.late or self.state or self.country or self.mentor)


def step_state(due_on: date | None, completed_on: date | None, today: date) -> str:
    if due_on is None:
        return "not_started"
    if completed_on is not None:
        return "done"
    return "late" if due_on < today else "on_time"


@dataclass(frozen=True)
class CohortCounts:
    """How many core cities there are, how many have a late step, have every step late, and
    how many the filters keep."""

    cities: int = 0
    late: int = 0
    all_late: int = 0
    shown: int = 0


def _per_city(
    programme: Programme, today: date, shown: Shown, names: Collection[str] | None = None
) -> Any:
    """One row per core city: the figures its line, the filters, the sorts and the counts
    need, computed by the database (the steps' states as of `today`). With `names`, only
    those figures (and the city's id): each is a lookup per city, and the counts need few."""
    facts_only = shown.facts_only
    percent = Action.state_columns(shown.approved)[1]
    step_due, step_done = Milestone.state_columns(shown.approved)
    mentor_part, mentee_part, mentor_city = (
        aliased(Participation),
        aliased(Participation),
        aliased(City),
    )

    def mentors(value: Any) -> Any:
        return (
            sa.select(sa.func.aggregate_strings(value, ", " if value is mentor_city.name else " "))
            .select_from(Mentorship)
            .join(mentor_part, Mentorship.mentor_id == mentor_part.id)
            .join(mentee_part, Mentorship.mentee_id == mentee_part.id)
            .join(mentor_city, mentor_part.city_id == mentor_city.id)
            .where(
                mentee_part.city_id == City.id,
                Mentorship.programme_id == programme.id,
                Mentorship.ended_on.is_(None),
                *Mentorship.facts(facts_only),
            )
            .scalar_subquery()
        )

    deal = (
        sa.select(sa.func.min(Plan.id))
        .where(
            Plan.city_id == City.id,
            Plan.programme_id == programme.id,
            Plan.kind == "local_green_deal",
            *Plan.facts(facts_only),
        )
        .scalar_subquery()
    )

    def actions(value: Any) -> Any:
        return (
            sa.select(value)
            .join(Action.plan)
            .where(Plan.city_id == City.id, Plan.programme_id == programme.id)
            .where(*Action.facts(facts_only))
            .scalar_subquery()
        )

    dated = step_due.is_not(None)
    late = sa.and_(dated, step_done.is_(None), step_due < today)

    def steps(value: Any) -> Any:
        return (
            sa.select(value)
            .join(Milestone.plan)
            .where(
                Plan.city_id == City.id,
                Plan.programme_id == programme.id,
                Milestone.lgd_step.is_not(None),
                *Milestone.facts(facts_only),
            )
            .scalar_subquery()
        )

    def counted(condition: Any) -> Any:
        return steps(sa.func.count(sa.distinct(sa.case((condition, Milestone.lgd_step)))))

    figures = {
        "slug": lambda: City.slug,
        "name": lambda: City.name,
        "country": lambda: City.country,
        "mentors": lambda: mentors(mentor_city.name),
        "mentor_slugs": lambda: mentors(mentor_city.slug),
        "progress": lambda: actions(sa.func.avg(percent)),
        "actions": lambda: actions(sa.func.count(Action.id)),
        "reporting": lambda: actions(sa.func.count(percent)),
        "plan_id": lambda: deal,
        "late": lambda: counted(late),
        "done": lambda: counted(sa.and_(dated, step_done.is_not(None))),
        "on_time": lambda: counted(sa.and_(dated, step_done.is_(None), step_due >= today)),
        "dated": lambda: counted(dated),
        "late_since": lambda: steps(sa.func.min(sa.case((late, step_due)))),
    }
    return (
        sa.select(
            City.id.label("city_id"),
            *(figures[n]().label(n) for n in figures if names is None or n in names),
        )
        .join(Participation, Participation.city_id == City.id)
        .where(Participation.programme_id == programme.id, Participation.role == "core")
    )


def _kept(rows: Any, filters: CohortFilter) -> list[Any]:
    every = len(LGD_STEPS)
    state = {
        "done": rows.c.done > 0,
        "late": rows.c.late > 0,
        "on_time": rows.c.on_time > 0,
        "not_started": rows.c.dated < every,
    }
    where = []
    if filters.late:
        where.append(rows.c.late > 0)
    if filters.state in state:
        where.append(state[filters.state])
    if filters.country:
        where.append(rows.c.country == filters.country)
    if filters.mentor:
        padded = sa.literal(" ") + sa.func.coalesce(rows.c.mentor_slugs, "") + sa.literal(" ")
        where.append(padded.contains(f" {filters.mentor} ", autoescape=True))
    return where


def _order(rows: Any, by: str) -> list[Any]:
    name = sa.func.lower(rows.c.name)
    orders = {
        "name": [name],
        "country": [rows.c.country, name],
        "mentor": [rows.c.mentors.is_(None), rows.c.mentors, name],
        "progress": [rows.c.done.desc(), sa.func.coalesce(rows.c.progress, -1).desc(), name],
        "lateness": [rows.c.late.desc(), rows.c.late_since.is_(None), rows.c.late_since, name],
    }
    return [*orders.get(by, orders["name"]), rows.c.city_id]


def _totals(programme: Programme, today: date, shown: Shown) -> tuple[int, int, int]:
    """The counts above the table that do not depend on the filters: core cities, those with a
    late step, those with every step late. PostgreSQL groups the overdue deal steps (at 10,000
    cities a third of the time of every city's figures); SQLite looks up each city's late steps,
    once per city (kept apart, not copied into each count that reads them)."""
    every = len(LGD_STEPS)
    if db.session.get_bind().dialect.name != "postgresql":
        late = _per_city(programme, today, shown, {"late"}).cte("late").prefix_with("MATERIALIZED")
        found = db.session.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(sa.case((late.c.late > 0, 1), else_=0)), 0),
                sa.func.coalesce(sa.func.sum(sa.case((late.c.late == every, 1), else_=0)), 0),
            ).select_from(late)
        ).one()
        return int(found[0]), int(found[1]), int(found[2])
    step_due, step_done = Milestone.state_columns(shown.approved)
    core = sa.and_(Participation.programme_id == programme.id, Participation.role == "core")
    grouped = (
        sa.select(sa.func.count(sa.distinct(Milestone.lgd_step)).label("late"))
        .join(Milestone.plan)
        .join(Participation, Participation.city_id == Plan.city_id)
        .where(
            core,
            Plan.programme_id == programme.id,
            Milestone.lgd_step.is_not(None),
            *Milestone.facts(shown.facts_only),
            step_due.is_not(None),
            step_done.is_(None),
            step_due < today,
        )
        .group_by(Participation.id)
        .subquery()
    )
    cities = sa.select(sa.func.count()).select_from(Participation).where(core).scalar_subquery()
    late_count, all_late, total = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((grouped.c.late == every, 1), else_=0)), 0),
            cities,
        ).select_from(grouped)
    ).one()
    return int(total or 0), int(late_count), int(all_late)


def listing(
    programme: Programme,
    today: date,
    filters: CohortFilter = CohortFilter(),
    shown: Shown = EVERYTHING,
    window: tuple[int, int] | None = None,
) -> tuple[list[CohortRow], CohortCounts]:
    """The core cities the filters keep, in their order, with the counts above the table.
    `window` (offset, limit) reads one page: the database filters, sorts and counts, and only
    the page's cities (and their steps) come back; with None, all of them (the CSV)."""
    rows = _per_city(programme, today, shown).subquery()
    kept = _kept(rows, filters)
    cities, late, all_late = _totals(programme, today, shown)
    if not kept:
        kept_count = cities
    elif filters == CohortFilter(late=True, sort=filters.sort, approved=filters.approved):
        kept_count = late  # the late filter alone keeps the cities with a late step
    else:
        counted = sa.select(sa.func.count()).select_from(rows).where(*kept)
        kept_count = db.session.scalar(counted) or 0
    counts = (cities, late, all_late, kept_count)
    query = sa.select(rows).where(*kept).order_by(*_order(rows, filters.sort))
    if window is not None:
        query = query.offset(window[0]).limit(window[1])
    found = db.session.execute(query).all()
    step_due, step_done = Milestone.state_columns(shown.approved)
    steps: dict[tuple[int, str | None], tuple[date | None, date | None]] = {
        (city_id, step): (due_on, completed_on)
        for city_id, step, due_on, completed_on in db.session.execute(
            sa.select(Plan.city_id, Milestone.lgd_step, step_due, step_done)
            .join(Milestone.plan)
            .where(
                Plan.programme_id == programme.id,
                Plan.city_id.in_([r.city_id for r in found]),
                Milestone.lgd_step.is_not(None),
                *Milestone.facts(shown.facts_only),
            )
        )
    }
    result = []
    for r in found:
        dates = [steps.get((r.city_id, step), (None, None)) for step in LGD_STEPS]
        result.append(
            CohortRow(
                slug=r.slug,
                name=r.name,
                country=r.country,
                mentors=r.mentors,
                progress=float(r.progress) if r.progress is not None else None,
                plan_id=r.plan_id,
                states=[step_state(due_on, done_on, today) for due_on, done_on in dates],
                mentor_slugs=frozenset((r.mentor_slugs or "").split()),
                actions=int(r.actions or 0),
                reporting=int(r.reporting or 0),
                overdue_days=(today - r.late_since).days if r.late_since else 0,
            )
        )
    return result, CohortCounts(*(int(n) for n in counts))


def cohort(programme: Programme, today: date, shown: Shown = EVERYTHING) -> list[CohortRow]:
    """Every core city with its mentors, action progress and the state of each shared step,
    by name, as `shown`: facts only leaves out demo records (mentorships, deals, actions,
    steps)."""
    return listing(programme, today, shown=shown)[0]
