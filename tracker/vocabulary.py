"""Labels of the codes the app stores (statuses, states, roles): the one place they are worded,
so the coming translation has one place to hook into."""

from __future__ import annotations

from datetime import date, datetime

NO_FIGURE = "\u2013"  # an en dash where there is no figure

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


def number(value: float | None, digits: int = 1) -> str:
    """A measured figure as the app shows it, to `digits` places without trailing zeros
    (1234.5, 12, 0.3); a dash for no figure."""
    if value is None:
        return NO_FIGURE
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(value: float | None) -> str:
    """A share in percent, whole (45 %); a dash for none."""
    if value is None:
        return NO_FIGURE
    return f"{round(value)} %"


def day(value: date | datetime | None) -> str:
    """A date as the app shows it (ISO 8601, 2024-10-09); nothing for no date."""
    if value is None:
        return ""
    return (value.date() if isinstance(value, datetime) else value).isoformat()
