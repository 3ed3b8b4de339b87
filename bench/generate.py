"""Scale data: N generated core cities with a year and a half of work each, inserted in bulk.

    .venv/bin/python -m bench.generate --cities 10000 --database sqlite:////tmp/scale.sqlite
    .venv/bin/python -m bench.generate --cities 1000 --database postgresql://postgres@127.0.0.1/bench

An empty database is migrated and given the facts and the demo data first. Each generated city
has a Local Green Deal with two partners, the five shared steps (a third of them moved once or
twice, each move recorded), ten actions with ten progress updates each (one action in ten has a
corrected update), an indicator on every other action with eight values, and a mentor. So
1,000 cities bring 100,000 progress updates and 10,000 cities 1,000,000. The same arguments
give the same data. Everything generated is marked as demo data: it is illustrative only.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import (
    Action,
    City,
    Indicator,
    IndicatorValue,
    Mentorship,
    Milestone,
    Participation,
    Partner,
    Plan,
    Programme,
    ProgressUpdate,
    Sector,
)
from tracker.models.plan import PARTNER_KINDS
from tracker.models.programme import LGD_STEPS

COUNTRIES = ("AT", "BE", "DE", "DK", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "NL", "PL", "PT")
PLAN_STATUSES = ("planned", "in_preparation", "signed", "signed", "implementing", "completed")
WORKING = ("on_track", "on_track", "on_track", "at_risk", "delayed")
START = date(2023, 10, 1)
BATCH = 250  # cities per transaction


def _rows(session: Any, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows in bulk and return their ids, in order."""
    if not rows:
        return []
    return list(
        session.scalars(sa.insert(model).returning(model.id, sort_by_parameter_order=True), rows)
    )


def add_cities(
    count: int,
    *,
    seed: int = 7,
    actions_per_city: int = 10,
    updates_per_action: int = 10,
    report: Any = None,
) -> None:
    """Add `count` generated cities with their work, committing every BATCH cities."""
    session = db.session
    programme = session.scalar(sa.select(Programme).order_by(Programme.id))
    if programme is None:
        raise SystemExit("No programme: load the facts first (flask seed).")
    sectors = list(session.scalars(sa.select(Sector.id).order_by(Sector.id)))
    mentors = list(
        session.scalars(
            sa.select(Participation.id)
            .where(Participation.role == "mentor")
            .order_by(Participation.id)
        )
    )
    offset = session.scalar(sa.select(sa.func.count()).select_from(City)) or 0
    rng = random.Random(f"{seed}:{offset}")
    for first in range(0, count, BATCH):
        numbers = range(offset + first, offset + min(first + BATCH, count))
        _add_batch(
            session,
            rng,
            programme.id,
            sectors,
            mentors,
            numbers,
            actions_per_city,
            updates_per_action,
        )
        session.commit()
        if report:
            report(min(first + BATCH, count))


def _add_batch(
    session: Any,
    rng: random.Random,
    programme_id: int,
    sectors: Sequence[int],
    mentors: Sequence[int],
    numbers: range,
    actions_per_city: int,
    updates_per_action: int,
) -> None:
    city_ids = _rows(
        session,
        City,
        [
            {
                "slug": f"gen-{n}",
                "name": f"Generated city {n}",
                "country": COUNTRIES[n % len(COUNTRIES)],
                "kind": "city",
                "latitude": round(rng.uniform(36.0, 64.0), 3),
                "longitude": round(rng.uniform(-9.0, 28.0), 3),
                "is_demo": True,
            }
            for n in numbers
        ],
    )
    joined = [START - timedelta(days=rng.randint(0, 90)) for _ in city_ids]
    part_ids = _rows(
        session,
        Participation,
        [
            {
                "programme_id": programme_id,
                "city_id": c,
                "role": "core",
                "joined_on": j,
                "is_demo": True,
                "is_communications_ambassador": False,
            }
            for c, j in zip(city_ids, joined, strict=True)
        ],
    )
    if mentors:
        session.execute(
            sa.insert(Mentorship),
            [
                {
                    "programme_id": programme_id,
                    "mentor_id": rng.choice(mentors),
                    "mentor_role": "mentor",
                    "mentee_id": p,
                    "since_on": j + timedelta(days=30),
                    "ended_on": j + timedelta(days=400) if rng.random() < 0.05 else None,
                    "focus": rng.choice((None, "energy", "mobility", "buildings")),
                    "is_demo": True,
                }
                for p, j in zip(part_ids, joined, strict=True)
            ],
        )
    plan_ids = _rows(
        session,
        Plan,
        [
            {
                "city_id": c,
                "programme_id": programme_id,
                "slug": "lgd",
                "kind": "local_green_deal",
                "title": f"Local Green Deal of generated city {n}",
                "status": rng.choice(PLAN_STATUSES),
                "started_on": START,
                "is_demo": True,
            }
            for c, n in zip(city_ids, numbers, strict=True)
        ],
    )
    session.execute(
        sa.insert(Partner),
        [
            {
                "plan_id": p,
                "name": f"Partner {k + 1} of plan {p}",
                "kind": rng.choice(PARTNER_KINDS),
                "signed_on": START + timedelta(days=rng.randint(30, 400)),
                "is_demo": True,
            }
            for p in plan_ids
            for k in range(2)
        ],
    )
    _milestones(session, rng, plan_ids)
    _actions(session, rng, plan_ids, sectors, actions_per_city, updates_per_action)


def _milestones(session: Any, rng: random.Random, plan_ids: Sequence[int]) -> None:
    rows, moves = [], []
    for p in plan_ids:
        reached = rng.randint(0, len(LGD_STEPS))
        for i, step in enumerate(LGD_STEPS):
            planned = START + timedelta(days=90 * (i + 1))
            slips = [30 * rng.randint(1, 4) for _ in range(rng.choice((0, 0, 0, 0, 1, 2)))]
            due = planned + timedelta(days=sum(slips))
            rows.append(
                {
                    "slug": f"gen/{p}/{step}",
                    "plan_id": p,
                    "title": step.replace("-", " ").capitalize(),
                    "lgd_step": step,
                    "planned_on": planned,
                    "due_on": due,
                    "completed_on": due - timedelta(days=rng.randint(0, 20))
                    if i < reached
                    else None,
                    "date_precision": "day",
                    "is_demo": True,
                    "version": 1 + len(slips),
                }
            )
            moves.append((planned, slips))
    ids = _rows(session, Milestone, rows)
    updates = []
    for milestone_id, (planned, slips) in zip(ids, moves, strict=True):
        due = planned
        for days in slips:
            due += timedelta(days=days)
            updates.append(
                {
                    "milestone_id": milestone_id,
                    "reported_on": due - timedelta(days=days + 7),
                    "due_on": due,
                    "note": "Moved: partners' council decisions later than planned",
                    "is_demo": True,
                }
            )
    if updates:
        session.execute(sa.insert(ProgressUpdate), updates)


def _actions(
    session: Any,
    rng: random.Random,
    plan_ids: Sequence[int],
    sectors: Sequence[int],
    per_city: int,
    per_action: int,
) -> None:
    action_ids = _rows(
        session,
        Action,
        [
            {
                "plan_id": p,
                "slug": f"action-{a + 1}",
                "title": f"Action {a + 1}",
                "sector_id": rng.choice(sectors) if sectors else None,
                "position": a,
                "starts_on": START,
                "due_on": START + timedelta(days=rng.randint(365, 900)),
                "is_demo": True,
                "created_at": START,
            }
            for p in plan_ids
            for a in range(per_city)
        ],
    )
    indicator_ids = _rows(
        session,
        Indicator,
        [
            {
                "action_id": a,
                "slug": "output",
                "name": "Installed capacity",
                "unit": "kW",
                "baseline_value": 0.0,
                "baseline_on": START,
                "target_value": 1000.0,
                "target_on": date(2026, 12, 31),
                "is_demo": True,
            }
            for a in action_ids[::2]
        ],
    )
    session.execute(
        sa.insert(IndicatorValue),
        [
            {
                "indicator_id": i,
                "measured_on": START + timedelta(days=91 * (q + 1)),
                "value": round(q * 120 + rng.uniform(0, 60), 1),
                "is_demo": True,
            }
            for i in indicator_ids
            for q in range(8)
        ],
    )
    updates, latest, corrected = [], [], []
    for n, action_id in enumerate(action_ids):
        percent, day, status = 0, START, "not_started"
        for k in range(per_action):
            percent = min(100, percent + rng.randint(2, 14))
            day += timedelta(days=rng.randint(20, 60))
            status = "done" if percent == 100 else rng.choice(WORKING)
            updates.append(
                {
                    "action_id": action_id,
                    "reported_on": day,
                    "status": status,
                    "percent_complete": percent,
                    "note": f"Quarterly report {k + 1}",
                    "is_demo": True,
                }
            )
            if n % 10 == 3 and k == per_action // 2:
                corrected.append((len(updates) - 1, day, max(0, percent - 5)))
        latest.append({"b_id": action_id, "b_status": status, "b_percent": percent, "b_day": day})
    update_ids = _rows(session, ProgressUpdate, updates)
    if corrected:
        session.execute(
            sa.insert(ProgressUpdate),
            [
                {
                    "action_id": updates[index]["action_id"],
                    "reported_on": day,
                    "status": updates[index]["status"],
                    "percent_complete": percent,
                    "note": "Corrected: the contractor's figure was ahead of the works",
                    "corrects_id": update_ids[index],
                    "original_id": update_ids[index],
                    "is_demo": True,
                }
                for index, day, percent in corrected
            ],
        )
    table = sa.table(
        "actions",
        sa.column("id"),
        sa.column("status"),
        sa.column("percent_complete"),
        sa.column("last_reported_on"),
    )
    session.execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"))
        .values(
            status=sa.bindparam("b_status"),
            percent_complete=sa.bindparam("b_percent"),
            last_reported_on=sa.bindparam("b_day"),
        ),
        latest,
    )


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load, as an operator would: without them
    PostgreSQL plans the dashboards' joins for empty tables. On PostgreSQL also VACUUM, as its
    autovacuum soon would: until then no page of a bulk-loaded table is marked all-visible, so
    every count that an index could answer alone reads the table as well."""
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
        return
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()


def prepare(url: str) -> Any:
    """An app on `url`, its schema migrated, with the facts and demo data if it had none."""
    import tempfile

    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.database import writing
    from tracker.demo import load_demo
    from tracker.seeding import load_facts

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": tempfile.mkdtemp(prefix="icc-generate-"),
        }
    )
    with app.app_context(), writing():
        upgrade()
        if db.session.scalar(sa.select(sa.func.count()).select_from(Programme)) == 0:
            load_facts(Path(app.config["SEEDS_DIR"]))
            load_demo(Path(app.config["SEEDS_DIR"]))
            db.session.commit()
    return app


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, required=True, help="generated cities to add")
    parser.add_argument("--database", required=True, help="SQLAlchemy URL")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.cities < 0:
        parser.error("--cities must be 0 or more")
    started = time.perf_counter()
    app = prepare(args.database)
    from tracker.database import writing

    def report(done: int) -> None:
        print(
            f"\r{done:>7} of {args.cities} cities, {time.perf_counter() - started:6.1f} s",
            end="",
            file=sys.stderr,
            flush=True,
        )

    with app.app_context(), writing():
        add_cities(args.cities, seed=args.seed, report=report)
        analyze()
        updates = db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate))
        cities = db.session.scalar(sa.select(sa.func.count()).select_from(City))
    print(file=sys.stderr)
    print(f"{cities} cities, {updates} progress updates, in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
