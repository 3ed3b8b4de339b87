"""The rules between a report's fields, declared once: the JSON Schema of the API's document
(`allOf` of if/then) and the services' check (`broken`) are both made from these, so the
document and the answers cannot disagree."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tracker.schemas.types import NOT_BLANK

PRESENT = "present"  # the field is given
ABSENT = "absent"  # the field is left out
FILLED = "filled"  # the field is given and holds more than white space


@dataclass(frozen=True)
class Rule:
    """When `when` (a field, and PRESENT, ABSENT or a value it equals) holds, `field` must be
    PRESENT, FILLED or equal `must`; otherwise `message` (lazily translated) names it."""

    when: tuple[str, Any]
    field: str
    must: Any
    message: Any

    def applies(self, report: Any) -> bool:
        name, state = self.when
        value = getattr(report, name)
        if state == PRESENT:
            return value is not None
        if state == ABSENT:
            return value is None
        return bool(value == state)

    def holds(self, report: Any) -> bool:
        value = getattr(report, self.field)
        if self.must == PRESENT:
            return value is not None
        if self.must == FILLED:
            return re.search(NOT_BLANK, value or "") is not None
        return bool(value == self.must)

    def schema(self) -> dict[str, Any]:
        name, state = self.when
        if state == PRESENT:
            when: dict[str, Any] = {"required": [name]}
        elif state == ABSENT:
            when = {"not": {"required": [name]}}
        else:
            when = {"required": [name], "properties": {name: {"const": state}}}
        then: dict[str, Any] = {"required": [self.field]}
        if self.must == FILLED:
            then["properties"] = {self.field: {"pattern": NOT_BLANK}}
        elif self.must != PRESENT:
            then["properties"] = {self.field: {"const": self.must}}
        return {"if": when, "then": then}


def broken(rules: Sequence[Rule], report: Any) -> list[tuple[str | None, str]]:
    """The rules `report` breaks, as (field, message) in the request's language."""
    return [(r.field, str(r.message)) for r in rules if r.applies(report) and not r.holds(report)]


def json_schema(rules: Sequence[Rule]) -> dict[str, Any]:
    return {"allOf": [r.schema() for r in rules]}
