"""Headline figures of a programme, each computed by one aggregate query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.cache import remembered
from tracker.domain.states import MILESTONE_STATES
from tracker.domain.timeline import TimelineItem
from tracker.extensions import db
from tracker.models import (
    ActionTotal,
    Milestone,
    OpenActionReport,
    Programme,
    ProgrammeFigure,
    Sector,
)
from tracker.models.city import PARTICIPATION_ROLES, Participation
from tracker.models.plan import ACTION_STATUSES, LGD_STATUSES, Action, Plan
from tracker.queries import EVERYTHING, Shown
from tracker.queries.milestones import state_expression


@dataclass
class Headline:
    programme: Programme
    today: date
    cities_by_role: dict[str, int]
    lgds_by_status: dict[str, int]
    lgds_demo: int
    milestones_by_state: dict[str, int]
    ambassadors: int
    next_milestones: list[Milestone] = field(default_factory=list)
    # What the programme itself published, by kind (shown beside the counts, never in them).
    reported: dict[str, ProgrammeFigure] = field(default_factory=dict)

    @property
    def core_gap(self) -> int | None:
        declared = self.programme.declared_core_cities
        if declared is None:
            return None
        return max(declared - self.cities_by_role["core"], 0)

    @property
    def lgds_signed(self) -> int:
        return sum(self.lgds_by_status[s] for s in ("signed", "implementing", "completed"))

    @property
    def lgds_recorded(self) -> int:
        """Deals whose status is recorded: the base of lgds_signed."""
        return sum(self.lgds_by_status.values())

    @property
    def has_ended(self) -> bool:
        return self.today > self.programme.ends_on


def current_programme_id() -> int | None:
    """The current programme (the latest to start), remembered until the next write: a cached
    dashboard asks no query of its own."""
    return remembered(
        "programme-id",
        lambda: db.session.scalar(
            sa.select(Programme.id).order_by(Programme.starts_on.desc()).limit(1)
        ),
    )


def current_programme() -> Programme | None:
    programme_id = current_programme_id()
    return db.session.get(Programme, programme_id) if programme_id is not None else None


def headline(
    programme: Programme, today: date, soon_days: int, shown: Shown = EVERYTHING
) -> Headline:
    """The overview's figures, as `shown` (the public view: facts only, approved data)."""
    facts_only, approved = shown.facts_only, shown.approved
    roles = dict.fromkeys(PARTICIPATION_ROLES, 0)
    ambassadors = 0
    rows = db.session.execute(
        sa.select(
            Participation.role,
            sa.func.count(),
            sa.func.sum(sa.case((Participation.is_communications_ambassador, 1), else_=0)),
        )
        .where(Participation.programme_id == programme.id)
        .group_by(Participation.role)
    )
    for role, count, ambassador_count in rows:
        roles[role] = count
        ambassadors += ambassador_count or 0

    statuses = dict.fromkeys(LGD_STATUSES, 0)
    demo = 0
    rows = db.session.execute(
        sa.select(Plan.status, Plan.is_demo, sa.func.count())
        .where(
            Plan.programme_id == programme.id,
            Plan.kind == "local_green_deal",
            *Plan.facts(facts_only),
        )
        .group_by(Plan.status, Plan.is_demo)
    )
    for status, is_demo, count in rows:
        if status is not None:
            statuses[status] += count
        if is_demo:
            demo += count

    state = state_expression(today, soon_days, approved=approved)
    due_on, completed_on = Milestone.state_columns(approved)
    states = dict.fromkeys(MILESTONE_STATES, 0)
    rows = db.session.execute(
        sa.select(state, sa.func.count())
        .where(Milestone.programme_id == programme.id, *Milestone.facts(facts_only))
        .group_by(state)
    )
    for name, count in rows:
        states[name] = count

    upcoming = db.session.scalars(
        sa.select(Milestone)
        .where(
            Milestone.programme_id == programme.id,
            completed_on.is_(None),
            *Milestone.facts(facts_only),
        )
        .order_by(due_on)
        .limit(5)
    ).all()
    reported = db.session.scalars(
        sa.select(ProgrammeFigure)
        .where(ProgrammeFigure.programme_id == programme.id)
        .options(joinedload(ProgrammeFigure.city))
    ).all()
    return Headline(
        programme,
        today,
        roles,
        statuses,
        demo,
        states,
        ambassadors,
        list(upcoming),
        {figure.kind: figure for figure in reported},
    )


NO_REPORT = "no_report"


def actions_by_status(shown: Shown = EVERYTHING) -> list[tuple[str, int]]:
    """How many actions have each status, from the totals the database keeps (action_totals):
    a few rows per sector, however many actions."""
    counts = dict.fromkeys((*ACTION_STATUSES, NO_REPORT), 0)
    status_column = ActionTotal.state_columns(shown.approved)[0]
    for status, count in db.session.execute(
        sa.select(status_column, sa.func.sum(ActionTotal.actions))
        .where(*_demo_left_out(shown))
        .group_by(status_column)
    ):
        counts[status or NO_REPORT] += int(count or 0)
    return list(counts.items())


def _demo_left_out(shown: Shown) -> list[sa.ColumnElement[bool]]:
    return [ActionTotal.is_demo.is_(False)] if shown.facts_only else []


class SectorProgress(NamedTuple):
    sector: str  # the sector's slug
    name: str
    actions: int
    reporting: int  # actions with a reported percent: the average's base
    average: float | None  # their average percent complete


def sector_progress(shown: Shown = EVERYTHING) -> list[SectorProgress]:
    """Per sector: its actions, how many of them reported a percent, and the average of those;
    from the totals the database keeps (action_totals), a few rows per sector."""
    joined = sa.and_(ActionTotal.sector_id == Sector.id, *_demo_left_out(shown))
    _status, reporting, percent_sum = ActionTotal.state_columns(shown.approved)
    rows = db.session.execute(
        sa.select(
            Sector.slug,
            Sector.name,
            sa.func.sum(ActionTotal.actions),
            sa.func.sum(reporting),
            sa.func.sum(percent_sum),
        )
        .outerjoin(ActionTotal, joined)
        .group_by(Sector.id, Sector.slug, Sector.name, Sector.tier)
        .order_by(Sector.tier, Sector.name)
    )
    return [
        SectorProgress(
            slug,
            name,
            int(n or 0),
            int(counted or 0),
            int(total) / int(counted) if counted else None,
        )
        for slug, name, n, counted, total in rows
    ]


@dataclass
class Attention:
    overdue_milestones: list[Milestone]
    overdue_count: int
    risky_actions: list[Action]
    risky_count: int
    stale_actions: list[Action]
    stale_count: int


OPEN = sa.or_(Action.status.is_(None), Action.status.not_in(("done", "cancelled")))
RISKY = ("at_risk", "delayed")
# The lists of actions that need attention, each whole on a page of its own (/actions).
ATTENTION_LISTS = ("risky", "stale")


def attention_condition(which: str, today: date, stale_days: int) -> sa.ColumnElement[bool]:
    """Which actions a list of what needs attention holds: at risk or delayed ("risky"), or
    open with no update within the staleness window ("stale")."""
    if which == "risky":
        return Action.status.in_(RISKY)
    cutoff = today - timedelta(days=stale_days)
    return sa.and_(
        OPEN, sa.or_(Action.last_reported_on.is_(None), Action.last_reported_on < cutoff)
    )


def stale_count(today: date, stale_days: int) -> sa.Select[Any]:
    """How many open actions have had no update within the window (never reported included),
    from the counts the database keeps per last report (open_action_reports): a row per date."""
    cutoff = today - timedelta(days=stale_days)
    return sa.select(sa.func.coalesce(sa.func.sum(OpenActionReport.n), 0)).where(
        OpenActionReport.last_reported_on < cutoff
    )


def attention_order(which: str) -> tuple[Any, ...]:
    """The latest report first for actions at risk; the longest silent first for stale ones,
    never reported last. Each is the order of an index (ix_actions_reported read backwards,
    ix_actions_silence), so a page of either list is read from the index in order."""
    if which == "risky":
        return (Action.last_reported_on.desc(), Action.id.desc())
    return (Action.last_reported_on.is_(None), Action.last_reported_on, Action.id)


def attention_list(
    which: str, today: date, stale_days: int, *, limit: int, offset: int = 0
) -> tuple[list[Action], int]:
    """A page of one attention list, with its city, and how many the whole list holds: two
    queries whatever its length."""
    condition = attention_condition(which, today, stale_days)
    rows = db.session.scalars(
        sa.select(Action)
        .where(condition)
        .options(joinedload(Action.plan).joinedload(Plan.city))
        .order_by(*attention_order(which))
        .limit(limit)
        .offset(offset)
    ).all()
    counted = (
        stale_count(today, stale_days)
        if which == "stale"
        else sa.select(sa.func.count()).select_from(Action).where(condition)
    )
    return list(rows), int(db.session.scalar(counted) or 0)


def needs_attention(today: date, stale_days: int, limit: int = 10) -> Attention:
    """What to act on: overdue milestones, actions at risk or delayed, actions gone stale.
    Each list is capped, with the full count beside it."""
    overdue = sa.and_(Milestone.completed_on.is_(None), Milestone.due_on < today)
    milestones = db.session.scalars(
        sa.select(Milestone)
        .where(overdue)
        .options(
            joinedload(Milestone.plan).joinedload(Plan.city),
            joinedload(Milestone.action).joinedload(Action.plan).joinedload(Plan.city),
        )
        .order_by(Milestone.due_on, Milestone.id)
        .limit(limit)
    ).all()
    risky = attention_condition("risky", today, stale_days)
    stale = attention_condition("stale", today, stale_days)
    with_city = joinedload(Action.plan).joinedload(Plan.city)
    risky_actions, stale_actions = (
        db.session.scalars(
            sa.select(Action)
            .where(condition)
            .options(with_city)
            .order_by(*attention_order(which))
            .limit(limit)
        ).all()
        for which, condition in (("risky", risky), ("stale", stale))
    )
    counts = db.session.execute(
        sa.select(
            sa.select(sa.func.count()).select_from(Milestone).where(overdue).scalar_subquery(),
            # Those at risk or delayed from the kept totals (the same actions, a few rows).
            sa.select(sa.func.coalesce(sa.func.sum(ActionTotal.actions), 0))
            .where(ActionTotal.status.in_(RISKY))
            .scalar_subquery(),
            stale_count(today, stale_days).scalar_subquery(),
        )
    ).one()
    return Attention(
        list(milestones), counts[0], list(risky_actions), counts[1], list(stale_actions), counts[2]
    )


NOT_RECORDED = "not_recorded"


def timeline(
    programme: Programme, today: date, soon_days: int, shown: Shown = EVERYTHING
) -> tuple[list, list]:
    """The programme's phases and milestones as timeline items."""
    # A phase without an end date runs until the next phase starts, or the programme ends.
    starts = [p.starts_on for p in programme.phases]
    phases = [
        TimelineItem(
            p.name,
            p.starts_on,
            p.ends_on or next((s for s in starts[i + 1 :] if s), programme.ends_on),
            "phase",
        )
        for i, p in enumerate(programme.phases)
        if p.starts_on is not None
    ]
    state = state_expression(today, soon_days, approved=shown.approved)
    due_on = Milestone.state_columns(shown.approved)[0]
    # Once the programme is over, what was never recorded as done is that, not work due.
    ended = today > programme.ends_on
    milestones = [
        TimelineItem(m.title, due, m.ends_on, NOT_RECORDED if ended and s != "done" else s)
        for m, due, s in db.session.execute(
            sa.select(Milestone, due_on, state)
            .where(Milestone.programme_id == programme.id, *Milestone.facts(shown.facts_only))
            .order_by(due_on)
        )
    ]
    return phases, milestones
