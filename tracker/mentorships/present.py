"""What the mentorships page shows, made from the service's pairs: the network figure, the
pairs table and each mentor's load (the view only picks and renders)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from tracker import charts, paging
from tracker.pages import Page
from tracker.queries.mentees import Board
from tracker.queries.mentorships import POINTS, Need, Pair
from tracker.tables import Table
from tracker.vocabulary import named

PAIR_COLUMNS = [
    _l("mentor"),
    _l("mentee"),
    _l("since"),
    _l("ended"),
    _l("sector"),
    _l("focus"),
    _l("mentee actions"),
    _l("mentee reporting actions"),
    _l("mentee progress (average percent of the reporting actions)"),
    _l("stale actions"),
    _l("late steps"),
    _l("other overdue milestones"),
    _l("last update"),
    _l("demo"),
]


def active(pairs: list[Pair]) -> list[Pair]:
    return [p for p in pairs if p.ended_on is None]


def mentee_state(points: int, threshold: int) -> str:
    if points >= threshold:
        return "needs_help"
    return "watch" if points else "fine"


def network(pairs: list[Pair], threshold: int) -> charts.Figure:
    """The current pairs as a network: mentors in name order, each mentee beside its first
    mentor, coloured by its state."""
    current = active(pairs)
    mentors = {p.mentor_slug: charts.Node(p.mentor_slug, p.mentor_name, "mentor") for p in current}
    mentees = {
        p.mentee_slug: charts.Node(
            p.mentee_slug, p.mentee_name, "mentee", mentee_state(p.mentee_points, threshold)
        )
        for p in current
    }
    return charts.mentorship_network(
        sorted(mentors.values(), key=lambda n: n.label),
        sorted(mentees.values(), key=lambda n: n.label),
        [(p.mentor_slug, p.mentee_slug) for p in sorted(current, key=lambda p: p.mentee_name)],
    )


def loads(board: Board) -> list[charts.Load]:
    """Each mentor's current mentees and how many of them need help: the mentors with the most
    mentees needing help first, then the most mentees, then by name."""
    rows = [charts.Load(r.mentor, r.mentees, r.needing_help) for r in board.loads]
    return sorted(rows, key=charts.load_order)


def pairs_table(pairs: list[Pair]) -> Table:
    return Table(
        "mentorships",
        _l("Mentor-mentee pairs"),
        PAIR_COLUMNS,
        [
            [
                p.mentor_name,
                p.mentee_name,
                p.since_on,
                p.ended_on,
                named(p.sector),
                p.focus,
                p.mentee_actions,
                p.mentee_reporting,
                round(p.mentee_progress, 1) if p.mentee_progress is not None else None,
                p.mentee_stale,
                p.mentee_late_steps,
                p.mentee_late,
                p.mentee_last_update,
                "demo" if p.is_demo else "",
            ]
            for p in pairs
        ],
    )


def load_table(rows: list[charts.Load]) -> Table:
    return Table(
        "mentor-load",
        _l("Mentees per mentor"),
        [
            _l("mentor"),
            _l("current mentees"),
            _l("needing help"),
            _l("share needing help (percent)"),
        ],
        [
            [r.mentor, r.mentees, r.needing_help, round(100 * r.needing_help / r.mentees)]
            for r in rows
        ],
    )


def needs_table(needs: list[Need]) -> Table:
    return Table(
        "needing-help",
        _l("Mentees needing help"),
        [
            _l("mentee"),
            _l("mentors"),
            _l("points"),
            _l("late steps"),
            _l("overdue milestones"),
            _l("days since update"),
        ],
        [
            [n.name, ", ".join(n.mentors), n.points, n.late_steps, n.overdue, n.quiet_days]
            for n in needs
        ],
    )


def index_page(board: Board, threshold: int, number: int, *, whole: bool, **context: Any) -> Page:
    """The mentorships: the pairs a page at a time with their network, each mentor's load and
    the mentees needing help (the first of them, most severe first); all of them in the CSV."""
    loads_of = loads(board)
    load, needing_table = load_table(loads_of), needs_table(board.needing)
    if whole:
        return Page([pairs_table(board.pairs), load, needing_table])
    shown = paging.checked(paging.Page(board.pairs, number, paging.PAGE_SIZE, board.pair_count))
    table = pairs_table(shown.items)
    return Page(
        [table, load, needing_table],
        {
            "pairs": board.pair_count,
            "page": shown,
            "needing": board.needing,
            "needing_count": board.needing_count,
            "mentees": board.mentees,
            "threshold": threshold,
            "points": POINTS,
            "any_demo": board.any_demo,
            "load": load,
            "needs_table": needing_table,
            "load_figure": charts.to_json(charts.mentor_load(loads_of)),
            "table": table,
            "figure": charts.to_json(network(shown.items, threshold)),
            **context,
        },
    )
