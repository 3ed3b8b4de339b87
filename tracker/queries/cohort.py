"""The cohort matrix: every core city against the shared Local Green Deal steps."""

from __future__ import annotations

from collections.abc import Callable
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

    def keeps(self, row: CohortRow) -> bool:
        return (
            (not self.late or row.late > 0)
            and (self.state is None or self.state in row.states)
            and (self.country is None or row.country == self.country)
            and (self.mentor is None or self.mentor in row.mentor_slugs)
        )


def chosen(rows: list[CohortRow], filters: CohortFilter) -> list[CohortRow]:
    """The rows the filters keep, in the order of `filters.sort`."""
    return sort([r for r in rows if filters.keeps(r)], filters.sort)


def step_state(due_on: date | None, completed_on: date | None, today: date) -> str:
    if due_on is None:
        return "not_started"
    if completed_on is not None:
        return "done"
    return "late" if due_on < today else "on_time"


def cohort(
    programme: Programme,
    today: date,
    sort_by: str = "name",
    shown: Shown = EVERYTHING,
) -> list[CohortRow]:
    """Every core city with its mentors, action progress and the state of each shared step,
    as `shown`: facts only leaves out demo records (mentorships, deals, actions, steps)."""
    facts_only = shown.facts_only
    percent = Action.state_columns(shown.approved)[1]
    step_due, step_done = Milestone.state_columns(shown.approved)

    mentor_part, mentee_part, mentor_city = (
        aliased(Participation),
        aliased(Participation),
        aliased(City),
    )
    mentors = (
        sa.select(
            mentee_part.city_id.label("city_id"),
            sa.func.aggregate_strings(mentor_city.name, ", ").label("names"),
            sa.func.aggregate_strings(mentor_city.slug, " ").label("slugs"),
        )
        .select_from(Mentorship)
        .join(mentor_part, Mentorship.mentor_id == mentor_part.id)
        .join(mentee_part, Mentorship.mentee_id == mentee_part.id)
        .join(mentor_city, mentor_part.city_id == mentor_city.id)
        .where(
            Mentorship.programme_id == programme.id,
            Mentorship.ended_on.is_(None),
            *Mentorship.facts(facts_only),
        )
        .group_by(mentee_part.city_id)
        .subquery()
    )
    deals = (
        sa.select(Plan.city_id, sa.func.min(Plan.id).label("plan_id"))
        .where(
            Plan.programme_id == programme.id,
            Plan.kind == "local_green_deal",
            *Plan.facts(facts_only),
        )
        .group_by(Plan.city_id)
        .subquery()
    )
    progress = (
        sa.select(
            Plan.city_id,
            sa.func.avg(percent).label("avg"),
            sa.func.count(Action.id).label("actions"),
            sa.func.count(percent).label("reporting"),
        )
        .join(Action.plan)
        .where(Plan.programme_id == programme.id, *Action.facts(facts_only))
        .group_by(Plan.city_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            City.id,
            City.slug,
            City.name,
            City.country,
            mentors.c.names,
            mentors.c.slugs,
            progress.c.avg,
            progress.c.actions,
            progress.c.reporting,
            deals.c.plan_id,
        )
        .join(Participation, Participation.city_id == City.id)
        .outerjoin(mentors, mentors.c.city_id == City.id)
        .outerjoin(progress, progress.c.city_id == City.id)
        .outerjoin(deals, deals.c.city_id == City.id)
        .where(Participation.programme_id == programme.id, Participation.role == "core")
    ).all()
    steps: dict[tuple[int, str | None], tuple[date | None, date | None]] = {
        (city_id, step): (due_on, completed_on)
        for city_id, step, due_on, completed_on in db.session.execute(
            sa.select(Plan.city_id, Milestone.lgd_step, step_due, step_done)
            .join(Milestone.plan)
            .where(
                Plan.programme_id == programme.id,
                Milestone.lgd_step.is_not(None),
                *Milestone.facts(facts_only),
            )
        )
    }
    result = []
    for city_id, slug, name, country, mentor_names, mentor_slugs, avg, *counts, plan_id in rows:
        dates = [steps.get((city_id, step), (None, None)) for step in LGD_STEPS]
        states = [step_state(due_on, completed_on, today) for due_on, completed_on in dates]
        late_dues = [d for (d, _c), s in zip(dates, states, strict=True) if s == "late" and d]
        result.append(
            CohortRow(
                slug=slug,
                name=name,
                country=country,
                mentors=mentor_names,
                progress=float(avg) if avg is not None else None,
                plan_id=plan_id,
                states=states,
                mentor_slugs=frozenset((mentor_slugs or "").split()),
                actions=int(counts[0] or 0),
                reporting=int(counts[1] or 0),
                overdue_days=(today - min(late_dues)).days if late_dues else 0,
            )
        )
    return sort(result, sort_by)


def sort(rows: list[CohortRow], by: str) -> list[CohortRow]:
    """Rows in the order `by` names; lateness is the most late steps first, then the longest
    overdue (the oldest due date of a late step), then the name."""
    keys: dict[str, Callable[[CohortRow], Any]] = {
        "name": lambda r: r.name.lower(),
        "country": lambda r: (r.country, r.name.lower()),
        "mentor": lambda r: (r.mentors is None, r.mentors or "", r.name.lower()),
        "progress": lambda r: (-r.done, -(r.progress or -1), r.name.lower()),
        "lateness": lambda r: (-r.late, -r.overdue_days, r.name.lower()),
    }
    return sorted(rows, key=keys.get(by, keys["name"]))
