"""An item on the programme's timeline: a phase, or a milestone in its state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class TimelineItem:
    label: str
    start: date
    end: date | None
    state: str  # a milestone state, or "phase"
