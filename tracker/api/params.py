"""Reading query parameters and JSON bodies strictly: every problem is named with its field."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import request

from tracker.api import ApiError

MAX_LIMIT = 500
SLUG = re.compile(r"^[a-z0-9-]{1,80}$")


def _date(value: str) -> date:
    return date.fromisoformat(value)


def _since(value: str) -> datetime:
    """A date or a date-time; a naive one is taken as UTC."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError("not a slug (lower-case letters, digits and hyphens)")
    return value


def _country(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError("not a two-letter upper-case country code")
    return value


def shown(name: str) -> str:
    """A name the client sent, as an error may repeat it: printable, and at most 40 characters."""
    text = "".join(c if c.isprintable() and c not in "<>" else "?" for c in name[:40])
    return text + ("…" if len(name) > 40 else "")


def choice(*allowed: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"not one of {', '.join(allowed)}")
        return value

    return parse


def _int_in(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        if not re.fullmatch(r"[0-9]{1,12}", value):  # ASCII digits only: int() takes "٣" too
            raise ValueError("not a whole number")
        number = int(value)
        if not low <= number <= high:
            raise ValueError(f"not between {low} and {high}")
        return number

    return parse


PARSERS: dict[str, Callable[[str], Any]] = {
    "city": _slug,
    "programme": _slug,
    "sector": _slug,
    "country": _country,
    "updated_since": _since,
    "limit": _int_in(1, MAX_LIMIT),
    "offset": _int_in(0, 10**9),
}


@dataclass
class Page:
    limit: int
    offset: int


def query(*names: str, **special: Callable[[str], Any]) -> tuple[dict[str, Any], Page]:
    """The listed query parameters, parsed; any other parameter is refused."""
    allowed = {
        **{n: PARSERS[n] for n in names},
        **special,
        "limit": PARSERS["limit"],
        "offset": PARSERS["offset"],
    }
    errors = []
    values: dict[str, Any] = {}
    for name in request.args:
        if name not in allowed:
            errors.append({"field": shown(name), "reason": "unknown query parameter"})
            continue
        raw = request.args.get(name, "")
        try:
            values[name] = allowed[name](raw)
        except ValueError as exc:
            errors.append({"field": name, "reason": f"the value is {exc}"})
    if errors:
        raise ApiError(400, "Bad Request", "Some query parameters are invalid.", errors)
    page = Page(values.pop("limit", 100), values.pop("offset", 0))
    return values, page


@dataclass(frozen=True)
class Field:
    kind: str  # date, string, integer, number, uri, enum
    required: bool = False
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    values: tuple[str, ...] = ()


def body(fields: dict[str, Field]) -> dict[str, Any]:
    """The JSON object of the request, checked against `fields`: 400 if it is not a JSON
    object, 422 listing every field that is unknown, missing or of the wrong type."""
    if not request.is_json:
        raise ApiError(415, "Unsupported Media Type", "Send the body as application/json.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "Bad Request", "The body is not a JSON object.")
    errors = [{"field": shown(k), "reason": "unknown field"} for k in data if k not in fields]
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if name not in data:
            if field.required:
                errors.append({"field": name, "reason": "required"})
            continue
        if data[name] is None:
            errors.append({"field": name, "reason": "must not be null; leave it out instead"})
            continue
        try:
            values[name] = _convert(field, data[name])
        except ValueError as exc:
            errors.append({"field": name, "reason": str(exc)})
    if errors:
        raise ApiError(422, "Unprocessable Content", "The body has invalid fields.", errors)
    return values


def _convert(field: Field, value: Any) -> Any:
    if field.kind in {"string", "uri", "enum", "date"}:
        return _convert_text(field, value)
    return _convert_number(field, value)


def _convert_text(field: Field, value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    if field.max_length is not None and len(value) > field.max_length:
        raise ValueError(f"must have at most {field.max_length} characters")
    if field.kind == "date":
        return _convert_date(value)
    if field.kind == "enum" and value not in field.values:
        raise ValueError(f"must be one of {', '.join(field.values)}")
    if field.kind == "uri" and not re.match(r"^https?://[^\s/$.?#][^\s]*$", value):
        raise ValueError("must be an http:// or https:// address")
    return value


def _convert_date(value: str) -> date:
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("must be a date, YYYY-MM-DD") from None


def _convert_number(field: Field, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be a{'n integer' if field.kind == 'integer' else ' number'}")
    if field.kind == "integer" and not isinstance(value, int):
        # JSON has one number type: 2.0 is the integer 2 (as JSON Schema counts it).
        if not (isinstance(value, float) and value.is_integer()):
            raise ValueError("must be an integer")
        value = int(value)
    if not math.isfinite(value):
        raise ValueError("must be finite")
    if field.minimum is not None and value < field.minimum:
        raise ValueError(f"must be at least {field.minimum:g}")
    if field.maximum is not None and value > field.maximum:
        raise ValueError(f"must be at most {field.maximum:g}")
    return value
