"""Labels of the codes the app stores (statuses, states, roles): the one place they are worded,
so the coming translation has one place to hook into."""

from __future__ import annotations

from datetime import date, datetime

STATUS_LABELS = {
    "not_started": "Not started",
    "on_track": "On track",
    "at_risk": "At risk",
    "delayed": "Delayed",
    "done": "Done",
    "cancelled": "Cancelled",
}


def label(code: str | None) -> str:
    """A stored code (a milestone state, a role, a kind) as words: due_soon is "due soon".
    Action statuses have their own labels above (STATUS_LABELS), shown by status_badge."""
    if code is None:
        return ""
    return code.replace("_", " ")


def day(value: date | datetime | None) -> str:
    """A date as the app shows it (ISO 8601, 2024-10-09); nothing for no date."""
    if value is None:
        return ""
    return (value.date() if isinstance(value, datetime) else value).isoformat()
