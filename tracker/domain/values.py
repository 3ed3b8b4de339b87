"""Values as JSON keeps them: dates in ISO 8601, moments with their UTC offset."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any


def jsonable(value: Any) -> Any:
    """Dates as ISO 8601; moments always with their UTC offset (SQLite hands them back naive,
    but every stored moment is UTC)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value
