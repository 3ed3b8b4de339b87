"""Demo data: turns seeds/demo/demo.toml into illustrative records, deterministically.

Nothing here is a fact. Every record is loaded with is_demo set, and the same random seed
and fixed dates make every run produce the same records, so loading twice changes nothing.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tracker.domain.errors import Invalid
from tracker.extensions import db
from tracker.models import City, Participation, Plan, Programme, User
from tracker.models.plan import LGD_STATUSES
from tracker.seeding import DEMO_DIR, Record, SeedError, SeedReport, load_records
from tracker.services import accounts

DEMO_FILE = "demo.toml"
# How far along each demo deal is, with weights that give a plausible spread.
STATUS_WEIGHTS = {"planned": 2, "in_preparation": 5, "signed": 5, "implementing": 6, "completed": 1}
STEPS_DONE = {"planned": 0, "in_preparation": 2, "signed": 4, "implementing": 5, "completed": 5}


def read_config(seeds_dir: Path) -> tuple[Path, dict[str, Any]]:
    path = seeds_dir / DEMO_DIR / DEMO_FILE
    try:
        return path, tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(path, "invalid TOML", str(exc)) from exc
    except OSError as exc:
        raise SeedError(path, "unreadable", str(exc)) from exc


def _participants(programme_slug: str) -> list[tuple[str, str, str, date]]:
    rows = db.session.execute(
        sa.select(City.slug, City.name, Participation.role, Participation.joined_on)
        .join(Participation.city)
        .join(Participation.programme)
        .where(Programme.slug == programme_slug, Participation.role.in_(("mentor", "core")))
    )
    # Sorted here, not by the database: collations differ, and the order feeds the random draws.
    return sorted((row[0], row[1], row[2], row[3]) for row in rows)


def _fact_deals(programme_slug: str) -> set[str]:
    """The cities whose Local Green Deal in the programme is a sourced fact."""
    return set(
        db.session.scalars(
            sa.select(City.slug)
            .join(Plan, Plan.city_id == City.id)
            .join(Programme, Plan.programme_id == Programme.id)
            .where(
                Programme.slug == programme_slug,
                Plan.kind == "local_green_deal",
                Plan.is_demo.is_(False),
            )
        )
    )


def _mentorships(
    rng: random.Random,
    participants: list[tuple[str, str, str, date]],
    programme: str,
    templates: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Each core city mentored by one mentor city, in turn."""
    mentors = [p for p in participants if p[2] == "mentor"]
    cores = [p for p in participants if p[2] == "core"]
    pairs = []
    for index, (slug, _name, _role, joined_on) in enumerate(cores):
        mentor = mentors[index % len(mentors)]
        since = _day(rng, date(2023, 11, 24), date(2024, 1, 31))
        pairs.append(
            {
                "programme": programme,
                "mentor": mentor[0],
                "mentee": slug,
                "since_on": max(since, joined_on),
                "sector": rng.choice(templates)["sector"],
            }
        )
    return pairs


def _steps(
    rng: random.Random, steps: list[dict[str, Any]], plan: str, started: date, done: int
) -> list[dict[str, Any]]:
    """The shared deal steps of one city's deal, 75 days apart; the first `done` completed."""
    made = []
    for position, step in enumerate(steps):
        due = started + timedelta(days=75 * (position + 1))
        made.append(
            {
                "slug": f"demo/{plan}/{step['slug']}",
                "plan": plan,
                "title": step["title"],
                "lgd_step": step["slug"],
                "due_on": due,
            }
        )
        if position < done:
            made[-1]["completed_on"] = due + timedelta(days=rng.randint(-20, 40))
    return made


def _partners(
    rng: random.Random, templates: list[dict[str, Any]], plan: str, city: str, signed: date | None
) -> list[dict[str, Any]]:
    return [
        {
            "plan": plan,
            "name": template["name"].format(city=city),
            "kind": template["kind"],
            "commitment": template["commitment"],
            "signed_on": signed,
        }
        for template in rng.sample(templates, rng.randint(2, 4))
    ]


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 1)))


def build_records(path: Path, config: dict[str, Any]) -> list[Record]:
    """The demo records, in the loader's format. Needs the facts loaded first."""
    try:
        rng = random.Random(config["random_seed"])
        programme = config["programme"]
        first, last = config["history_starts_on"], config["history_ends_on"]
        steps, templates = config["lgd_steps"], config["action_templates"]
        partner_templates = config["partner_templates"]
    except KeyError as exc:
        raise SeedError(path, "top level", f"{exc.args[0]} is required") from exc
    participants = _participants(programme)
    if not participants:
        raise SeedError(path, "programme", f"no cities in {programme!r}: load the facts first")

    tables: dict[str, list[dict[str, Any]]] = {}

    def add(table: str, **data: Any) -> None:
        tables.setdefault(table, []).append({k: v for k, v in data.items() if v is not None})

    tables["mentorships"] = _mentorships(rng, participants, programme, templates)

    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    # A city whose deal is a sourced fact keeps it: the demo adds steps and actions to it, never
    # a deal or partners of its own (the draws are made all the same, so the rest stays put).
    held = _fact_deals(programme)
    for slug, name, _role, joined_on in participants:
        status = rng.choices(statuses, weights)[0]
        plan = f"{slug}/lgd"
        started = _day(rng, max(first, joined_on), max(first, joined_on) + timedelta(days=90))
        signed = None
        if LGD_STATUSES.index(status) >= LGD_STATUSES.index("signed"):
            signed = _day(rng, started + timedelta(days=120), started + timedelta(days=300))
        partners = _partners(rng, partner_templates, plan, name, signed)
        if slug not in held:
            add(
                "plans",
                city=slug,
                programme=programme,
                slug="lgd",
                kind="local_green_deal",
                title=f"Local Green Deal of {name}",
                status=status,
                started_on=started,
                signed_on=signed,
                governance="Demo: a cross-department team led by the mayor's office.",
                actions_summary="Demo: the actions listed below.",
                integrated_goals="Demo: aligned with the city's climate and economic strategies.",
                partnerships="Demo: the partners listed below.",
            )
            for partner in partners:
                add("partners", **partner)
        tables.setdefault("milestones", []).extend(
            _steps(rng, steps, plan, started, STEPS_DONE[status])
        )
        for position, template in enumerate(rng.sample(templates, rng.randint(2, 4)), 1):
            _demo_action(rng, add, plan, position, name, template, started, last)
    return [
        Record(path, table, index, data, {})
        for table, rows in tables.items()
        for index, data in enumerate(rows, 1)
    ]


def _demo_action(
    rng: random.Random,
    add: Callable[..., None],
    plan: str,
    position: int,
    city_name: str,
    template: dict[str, Any],
    started: date,
    last: date,
) -> None:
    action = f"{plan}/action-{position}"
    starts = started + timedelta(days=rng.randint(0, 120))
    due = starts + timedelta(days=rng.randint(240, 720))
    updates: list[tuple[date, str, int]] = []
    percent = 0
    day = starts + timedelta(days=rng.randint(20, 60))
    stop = min(last, due + timedelta(days=120)) - timedelta(days=rng.randint(0, 300))
    while day <= stop:
        percent = min(100, percent + rng.randint(3, 18))
        status = (
            "done"
            if percent == 100
            else rng.choices(["on_track", "at_risk", "delayed"], [7, 2, 1])[0]
        )
        updates.append((day, status, percent))
        if percent == 100:
            break
        day += timedelta(days=rng.randint(30, 75))
    latest = updates[-1] if updates else None
    covenant = _covenant(add, action, template.get("covenant"), starts, due, latest)
    add(
        "actions",
        plan=plan,
        slug=f"action-{position}",
        position=position,
        title=template["title"].format(city=city_name),
        sector=template["sector"],
        **({"theme": template["theme"]} if "theme" in template else {}),
        lead_organisation=f"City of {city_name}",
        starts_on=starts,
        due_on=due,
        **(
            {"status": latest[1], "percent_complete": latest[2], "last_reported_on": latest[0]}
            if latest
            else {}
        ),
        **covenant,
    )
    for reported_on, status, percent_done in updates:
        add(
            "progress_updates",
            action=action,
            reported_on=reported_on,
            status=status,
            percent_complete=percent_done,
            note=f"Demo update: {percent_done} % complete.",
        )
    indicator = template.get("indicator")
    if indicator and updates:
        add(
            "indicators",
            action=action,
            slug="main",
            name=indicator["name"],
            unit=indicator["unit"],
            baseline_value=0,
            baseline_on=starts,
            target_value=indicator["target"],
            target_on=due,
        )
        for reported_on, _status, percent_done in updates:
            add(
                "indicator_values",
                indicator=f"{action}/main",
                measured_on=reported_on,
                value=round(indicator["target"] * percent_done / 100 * rng.uniform(0.8, 1.05), 1),
            )


def _covenant(
    add: Callable[..., None],
    action: str,
    spec: dict[str, Any] | None,
    starts: date,
    due: date,
    latest: tuple[date, str, int] | None,
) -> dict[str, Any]:
    """The Covenant and CDP fields of a demo action whose template has them, and its costs:
    the template's figures, achieved and spent in proportion to its percent complete (no
    random draw, so the other demo records stay as they were)."""
    if not spec:
        return {}
    share = (latest[2] if latest else 0) / 100
    years = list(range(starts.year, due.year + 1))
    for year in years:
        for source, part in (("own", 0.6), ("eu", 0.4)):
            planned = round(spec["cost_eur"] * part / len(years))
            add(
                "action_costs",
                action=action,
                year=year,
                funding_source=source,
                planned_eur=planned,
                spent_eur=round(planned * share) if latest and year <= latest[0].year else None,
            )
    fields: dict[str, Any] = {
        "com_sector": spec["sector"],
        "com_area": spec["area"],
        "com_instrument": spec["instrument"],
        "origin": "local_authority",
        "start_year": starts.year,
        "end_year": due.year,
    }
    for name, column in (("savings_mwh", "savings"), ("renewables_mwh", "renewables")):
        if name in spec:
            fields[f"{column}_estimated_mwh"] = spec[name]
            fields[f"{column}_achieved_mwh"] = round(spec[name] * share, 1)
    fields["ghg_estimated_t"] = spec["ghg_t"]
    fields["ghg_achieved_t"] = round(spec["ghg_t"] * share, 1)
    return fields


def load_demo(seeds_dir: Path) -> SeedReport:
    """Load demo records and demo accounts. The caller commits, or rolls back on SeedError."""
    path, config = read_config(seeds_dir)
    report = load_records(build_records(path, config), is_demo=True)
    for index, account in enumerate(config.get("accounts", []), 1):
        email = account.get("email", "")
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
            report.unchanged["users"] += 1
            continue
        try:
            accounts.create_user(
                None,
                email=email,
                password=account.get("password", ""),
                role=account.get("role", ""),
                city_slug=account.get("city"),
                name=account.get("name"),
                is_demo=True,
                actor_label="seed --demo",
            )
        except Invalid as exc:
            raise SeedError(path, f"[[accounts]] #{index} ({email})", str(exc)) from exc
        report.created["users"] += 1
    return report
