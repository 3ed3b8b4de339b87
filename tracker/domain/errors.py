"""Domain errors that views turn into HTTP statuses."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(DomainError):
    status = 400


class Unprocessable(Invalid):
    """A report that breaks a rule holding whatever is stored: a value of the wrong kind or
    out of bounds, or a rule between its fields (done means 100 %). The API answers 422 with
    every `errors` entry (field, reason); a form shows each beside its field."""

    status = 422

    def __init__(self, errors: list[tuple[str | None, str]]) -> None:
        field, message = errors[0]
        super().__init__(message, field=field)
        self.errors = errors


class TooSoon(DomainError):
    """Something that may be done once in a while, asked again before its time: `retry_at` is
    the moment it may be done again (a 429 with Retry-After)."""

    status = 429

    def __init__(self, message: str, *, retry_at: Any) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """A save based on an old version. `changes` maps each field that differs from what the
    user sent to its current value; `mine` and `current` hold every field the user sent, as
    sent and as the record holds it now; `version` is the record's version now, on which the
    user's values can be applied; `changed_by`/`changed_at` name the last change."""

    status = 409

    def __init__(
        self,
        message: str,
        *,
        changes: dict[str, Any] | None = None,
        mine: dict[str, Any] | None = None,
        current: dict[str, Any] | None = None,
        version: int | None = None,
        changed_by: str | None = None,
        changed_at: Any = None,
    ) -> None:
        super().__init__(message)
        self.changes = changes or {}
        self.mine = mine or {}
        self.current = current or {}
        self.version = version
        self.changed_by = changed_by
        self.changed_at = changed_at


class RoundClosed(DomainError):
    """A write aimed at a reporting round that is closed: its snapshot is frozen (409)."""

    status = 409
