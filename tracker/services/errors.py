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
