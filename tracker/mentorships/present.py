"""What the mentorships page shows, made from the service's pairs: the network figure, the
pairs table and each mentor's load (the view only picks and renders)."""

from __future__ import annotations

from collections import Counter

from tracker import charts
from tracker.services.mentorships import Pair
from tracker.tables import Table

PAIR_COLUMNS = [
    "mentor",
    "mentee",
    "since",
    "ended",
    "sector",
    "focus",
    "mentee progress",
    "stale actions",
    "late milestones",
    "demo",
]


# Mentees needing help listed on the page, the most in need first; the rest are counted.
HELP_LISTED = 20


def needing_help(pairs: list[Pair]) -> list[Pair]:
    """Current pairs whose mentee has stale actions or late milestones, most of both first."""
    return sorted(
        (p for p in active(pairs) if p.mentee_stale or p.mentee_late),
        key=lambda p: (-(p.mentee_stale + p.mentee_late), -p.mentee_late, p.mentee_name),
    )


def active(pairs: list[Pair]) -> list[Pair]:
    return [p for p in pairs if p.ended_on is None]


def network(pairs: list[Pair]) -> charts.Figure:
    """The current pairs as a network: mentors in name order, and each mentee beside its first
    mentor, so the lines of a pair do not cross the others."""
    current = active(pairs)
    mentors = {
        p.mentor_slug: charts.Node(p.mentor_slug, p.mentor_name, "mentor", None) for p in current
    }
    mentees = {
        p.mentee_slug: charts.Node(p.mentee_slug, p.mentee_name, "mentee", p.mentee_progress)
        for p in current
    }
    mentor_order = sorted(mentors.values(), key=lambda n: n.label)
    rank = {n.key: i for i, n in enumerate(mentor_order)}
    first_mentor: dict[str, int] = {}
    for p in sorted(current, key=lambda p: rank[p.mentor_slug]):
        first_mentor.setdefault(p.mentee_slug, rank[p.mentor_slug])
    return charts.mentorship_network(
        mentor_order,
        sorted(mentees.values(), key=lambda n: (first_mentor[n.key], n.label)),
        [(p.mentor_slug, p.mentee_slug) for p in current],
    )


def pairs_table(pairs: list[Pair]) -> Table:
    return Table(
        "mentorships",
        "Mentor-mentee pairs",
        PAIR_COLUMNS,
        [
            [
                p.mentor_name,
                p.mentee_name,
                p.since_on,
                p.ended_on,
                p.sector,
                p.focus,
                round(p.mentee_progress, 1) if p.mentee_progress is not None else None,
                p.mentee_stale,
                p.mentee_late,
                "demo" if p.is_demo else "",
            ]
            for p in pairs
        ],
    )


def load_table(pairs: list[Pair]) -> Table:
    load = Counter(p.mentor_name for p in active(pairs))
    return Table(
        "mentor-load", "Mentees per mentor", ["mentor", "active mentees"], sorted(load.items())
    )
