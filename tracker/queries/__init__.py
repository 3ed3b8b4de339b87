"""Reads: what the dashboards, lists, exports and digests show. Nothing here changes data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shown:
    """What a page shows: every record, or facts only (no demo records); the latest reports,
    or what the approved reports alone state. The public view is both; a signed-in page may
    ask for approved data only."""

    facts_only: bool = False
    approved: bool = False


EVERYTHING = Shown()
PUBLIC = Shown(facts_only=True, approved=True)
