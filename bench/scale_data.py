"""Synthetic scale data: N extra core cities, each with a Local Green Deal, actions, progress
updates, deal steps and a mentor, inserted in bulk. Illustrative only, and marked as demo."""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import (
    Action,
    City,
    Mentorship,
    Milestone,
    Participation,
    Plan,
    Programme,
    ProgressUpdate,
    Sector,
)
from tracker.models.programme import LGD_STEPS

STATUSES = ("on_track", "on_track", "at_risk", "delayed", "done")


def add_cities(
    count: int, *, seed: int = 7, actions_per_city: int = 4, updates_per_action: int = 6
) -> None:
    """Add `count` cities with their work; commits in batches of 500 cities."""
    rng = random.Random(seed)
    programme = db.session.scalar(sa.select(Programme))
    sectors = db.session.scalars(sa.select(Sector.id)).all()
    mentors = db.session.scalars(
        sa.select(Participation.id).where(Participation.role == "mentor")
    ).all()
    start = date(2023, 10, 1)
    offset = db.session.scalar(sa.select(sa.func.count()).select_from(City)) or 0
    for batch_start in range(0, count, 500):
        batch = range(batch_start, min(batch_start + 500, count))
        cities = [
            {
                "slug": f"bench-{offset + n}",
                "name": f"Bench city {offset + n}",
                "country": "DE",
                "kind": "city",
                "is_demo": True,
                "version": 1,
            }
            for n in batch
        ]
        city_ids = db.session.scalars(sa.insert(City).returning(City.id), cities).all()
        parts = db.session.scalars(
            sa.insert(Participation).returning(Participation.id),
            [
                {
                    "programme_id": programme.id,
                    "city_id": c,
                    "role": "core",
                    "joined_on": start,
                    "is_demo": True,
                    "is_communications_ambassador": False,
                    "version": 1,
                }
                for c in city_ids
            ],
        ).all()
        db.session.execute(
            sa.insert(Mentorship),
            [
                {
                    "programme_id": programme.id,
                    "mentor_id": rng.choice(mentors),
                    "mentor_role": "mentor",
                    "mentee_id": p,
                    "since_on": start,
                    "is_demo": True,
                    "version": 1,
                }
                for p in parts
            ],
        )
        plan_ids = db.session.scalars(
            sa.insert(Plan).returning(Plan.id),
            [
                {
                    "city_id": c,
                    "programme_id": programme.id,
                    "slug": "lgd",
                    "kind": "local_green_deal",
                    "title": "Bench deal",
                    "status": rng.choice(("planned", "signed", "implementing")),
                    "started_on": start,
                    "is_demo": True,
                    "version": 1,
                }
                for c in city_ids
            ],
        ).all()
        db.session.execute(
            sa.insert(Milestone),
            [
                {
                    "slug": f"bench/{p}/{step}",
                    "plan_id": p,
                    "title": step,
                    "lgd_step": step,
                    "planned_on": start + timedelta(days=60 * i),
                    "due_on": start + timedelta(days=60 * i),
                    "completed_on": start + timedelta(days=60 * i) if rng.random() < 0.5 else None,
                    "date_precision": "day",
                    "is_demo": True,
                    "version": 1,
                }
                for p in plan_ids
                for i, step in enumerate(LGD_STEPS)
            ],
        )
        actions = []
        for p in plan_ids:
            for a in range(actions_per_city):
                actions.append(
                    {
                        "plan_id": p,
                        "slug": f"a{a}",
                        "title": f"Bench action {a}",
                        "sector_id": rng.choice(sectors),
                        "position": a,
                        "is_demo": True,
                        "version": 1,
                        "created_at": start,
                    }
                )
        action_ids = db.session.scalars(sa.insert(Action).returning(Action.id), actions).all()
        updates, latest = [], []
        for action_id in action_ids:
            percent = 0
            day = start
            for _ in range(updates_per_action):
                percent = min(100, percent + rng.randint(5, 20))
                day += timedelta(days=rng.randint(20, 60))
                status = "done" if percent == 100 else rng.choice(STATUSES[:4])
                updates.append(
                    {
                        "action_id": action_id,
                        "reported_on": day,
                        "status": status,
                        "percent_complete": percent,
                        "is_demo": True,
                        "created_at": start,
                    }
                )
            latest.append(
                {"b_id": action_id, "b_status": status, "b_percent": percent, "b_day": day}
            )
        db.session.execute(sa.insert(ProgressUpdate), updates)
        table = Action.__table__
        db.session.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"))
            .values(
                status=sa.bindparam("b_status"),
                percent_complete=sa.bindparam("b_percent"),
                last_reported_on=sa.bindparam("b_day"),
            ),
            latest,
        )
        db.session.commit()
