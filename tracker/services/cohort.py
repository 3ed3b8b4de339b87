"""The cohort matrix: every core city against the shared Local Green Deal steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.models import Action, City, Mentorship, Milestone, Participation, Plan, Programme
from tracker.models.programme import LGD_STEPS

STEP_TITLES = {
    "team-set-up": "Team set up",
    "commitments-identified": "Commitments identified",
    "partners-engaged": "Partners engaged",
    "deal-signed": "Deal signed",
    "implementation-under-way": "Implementation under way",
}
SORTS = ("name", "country", "mentor", "progress")


@dataclass
class CohortRow:
    slug: str
    name: str
    country: str
    mentors: str | None
    progress: float | None
    plan_id: int | None
    states: list[str] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.states.count("done")


def step_state(due_on: date | None, completed_on: date | None, today: date) -> str:
    if due_on is None:
        return "not_started"
    if completed_on is not None:
        return "done"
    return "late" if due_on < today else "on_time"


def cohort(programme: Programme, today: date, sort: str = "name") -> list[CohortRow]:
    mentor_part, mentee_part, mentor_city = (
        aliased(Participation),
        aliased(Participation),
        aliased(City),
    )
    mentors = (
        sa.select(
            mentee_part.city_id.label("city_id"),
            sa.func.aggregate_strings(mentor_city.name, ", ").label("names"),
        )
        .select_from(Mentorship)
        .join(mentor_part, Mentorship.mentor_id == mentor_part.id)
        .join(mentee_part, Mentorship.mentee_id == mentee_part.id)
        .join(mentor_city, mentor_part.city_id == mentor_city.id)
        .where(Mentorship.programme_id == programme.id, Mentorship.ended_on.is_(None))
        .group_by(mentee_part.city_id)
        .subquery()
    )
    deals = (
        sa.select(Plan.city_id, sa.func.min(Plan.id).label("plan_id"))
        .where(Plan.programme_id == programme.id, Plan.kind == "local_green_deal")
        .group_by(Plan.city_id)
        .subquery()
    )
    progress = (
        sa.select(Plan.city_id, sa.func.avg(Action.percent_complete).label("avg"))
        .join(Action.plan)
        .where(Plan.programme_id == programme.id)
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
            progress.c.avg,
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
            sa.select(Plan.city_id, Milestone.lgd_step, Milestone.due_on, Milestone.completed_on)
            .join(Milestone.plan)
            .where(Plan.programme_id == programme.id, Milestone.lgd_step.is_not(None))
        )
    }
    result = [
        CohortRow(
            slug=slug,
            name=name,
            country=country,
            mentors=mentor_names,
            progress=float(avg) if avg is not None else None,
            plan_id=plan_id,
            states=[
                step_state(*steps.get((city_id, step), (None, None)), today) for step in LGD_STEPS
            ],
        )
        for city_id, slug, name, country, mentor_names, avg, plan_id in rows
    ]
    keys = {
        "name": lambda r: r.name.lower(),
        "country": lambda r: (r.country, r.name.lower()),
        "mentor": lambda r: (r.mentors is None, r.mentors or "", r.name.lower()),
        "progress": lambda r: (-r.done, -(r.progress or -1), r.name.lower()),
    }
    return sorted(result, key=keys.get(sort, keys["name"]))
