"""The value types every shape is made of, each with its bounds stated once: a note's length,
an evidence link's scheme, a measured value's range, a record id's range, a slug's letters."""

from __future__ import annotations

import contextlib
import math
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from tracker.i18n import read_date, read_decimal
from tracker.models.base import MAX_ID

NOTE_MAX = 2000
URL_MAX = 500
MEASURE_LIMIT = 1e12
MAX_LIMIT = 500
# An http(s) address: a scheme, then a host that starts with a letter or digit, no spaces.
# White space and control characters, spelled out: `\s` means other things to Python's `re`
# (which checks) and to the ECMA-262 expressions of the JSON Schema document (which clients
# read), so the patterns below name every character either counts.
BLANK = "\\x00-\\x20\\x7f-\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
URL_PATTERN = rf"^https?://[^{BLANK}/$.?#][^{BLANK}]*$"
SLUG_PATTERN = r"^[a-z0-9-]{1,80}$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
NOT_BLANK = rf"[^{BLANK}]"  # a reason: one character that is neither white space nor control
NO_NUL = "^[^\\x00]*$"  # texts: any character but NUL


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise PydanticCustomError("nul", "must not contain a NUL character")
    return text


def _http_url(text: str) -> str:
    if not re.match(URL_PATTERN, text):
        raise PydanticCustomError("http_url", "must be an http:// or https:// address")
    return text


def _whole(value: Any) -> Any:
    """JSON has one kind of number: 2.0 is the integer 2, as JSON Schema counts it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _percent(number: int) -> int:
    if not 0 <= number <= 100:
        raise PydanticCustomError("percent", "must be a whole number from 0 to 100")
    return number


def _decimal(value: Any) -> Any:
    """A decimal typed as text (an import's cell) in the request's language: 55,5 in German."""
    return read_decimal(value) if isinstance(value, str) else value


def _finite(number: float) -> float:
    if not math.isfinite(number):
        raise PydanticCustomError("finite", "must be finite")
    return number


def _pattern(pattern: str, reason: str) -> Any:
    def check(text: str) -> str:
        if not re.match(pattern, text):
            raise PydanticCustomError("pattern", reason)
        return text

    return AfterValidator(check)


def _ascii_digits(value: Any) -> Any:
    """A number in a query string: ASCII digits only (int() would take "٣" and " 5" too)."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{1,12}", value):
        raise PydanticCustomError("whole_number", "must be a whole number")
    return value


def _iso_day(value: Any) -> Any:
    """A date as YYYY-MM-DD (or a spreadsheet's date cell); never a number of seconds."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        value = read_date(value)  # 26.11.2026 as well as ISO
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            with contextlib.suppress(ValueError):
                return date.fromisoformat(value)
    raise PydanticCustomError("day", "must be a date, YYYY-MM-DD")


def _moment(value: Any) -> Any:
    """A date or a date-time in a query string; a naive one is taken as UTC."""
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise PydanticCustomError("moment", "must be a date or a date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# The words of the custom errors above, marked for translation (schemas/base.py says them).
CUSTOM_MESSAGES = {
    "nul": _l("must not contain a NUL character"),
    "http_url": _l("must be an http:// or https:// address"),
    "percent": _l("must be a whole number from 0 to 100"),
    "finite": _l("must be finite"),
    "whole_number": _l("must be a whole number"),
    "day": _l("must be a date, YYYY-MM-DD"),
    "moment": _l("must be a date or a date-time"),
    "slug": _l("must be a slug (lower-case letters, digits and hyphens)"),
    "country": _l("must be a two-letter upper-case country code"),
}

Text = Annotated[str, Field(json_schema_extra={"pattern": NO_NUL}), AfterValidator(_no_nul)]
Note = Annotated[
    str,
    Field(max_length=NOTE_MAX, json_schema_extra={"pattern": NO_NUL}),
    AfterValidator(_no_nul),
]
EvidenceUrl = Annotated[
    str,
    Field(max_length=URL_MAX, json_schema_extra={"pattern": URL_PATTERN}),
    AfterValidator(_http_url),
]
Percent = Annotated[
    int,
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": 100}),
    AfterValidator(_percent),
    BeforeValidator(_whole),
]
Measure = Annotated[
    float,
    Field(ge=-MEASURE_LIMIT, le=MEASURE_LIMIT, allow_inf_nan=False),
    AfterValidator(_finite),
    BeforeValidator(_decimal),
]
RecordId = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_whole)]
Day = Annotated[date, BeforeValidator(_iso_day)]
Slug = Annotated[
    str,
    Field(json_schema_extra={"pattern": SLUG_PATTERN}),
    _pattern(SLUG_PATTERN, "must be a slug (lower-case letters, digits and hyphens)"),
]
Country = Annotated[
    str,
    Field(json_schema_extra={"pattern": COUNTRY_PATTERN}),
    _pattern(COUNTRY_PATTERN, "must be a two-letter upper-case country code"),
]
# Query-string numbers and moments, read from text.
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT), BeforeValidator(_ascii_digits)]
Offset = Annotated[int, Field(ge=0, le=10**9), BeforeValidator(_ascii_digits)]
Moment = Annotated[
    datetime, BeforeValidator(_moment), WithJsonSchema({"type": "string", "format": "date-time"})
]
