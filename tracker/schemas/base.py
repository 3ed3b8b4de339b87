"""The three kinds of shape and how their problems are told: a body a client sends (strict,
nothing unknown), a record the app answers with, a query string or a table row (text, read
leniently into the same types). Every refusal comes out as (field, reason) in one wording,
whichever door the input came in by."""

from __future__ import annotations

from typing import Any, TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from tracker.domain.errors import Unprocessable

M = TypeVar("M", bound=BaseModel)


class Body(BaseModel):
    """A JSON body: strict types (a string is not a number), no unknown fields."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Record(BaseModel):
    """A record as the API answers it."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def dump(cls, obj: Any, **computed: Any) -> dict[str, Any]:
        """`obj`'s fields of this shape, plus the `computed` ones, as JSON values."""
        values = {n: getattr(obj, n) for n in cls.model_fields if n not in computed}
        return cls.model_validate({**values, **computed}).model_dump(mode="json")


class Query(BaseModel):
    """A query string: text read into typed values; an unknown parameter is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def shown(name: str) -> str:
    """A name the client sent, as an error may repeat it: printable, and at most 40 characters."""
    text = "".join(c if c.isprintable() and c not in "<>" else "?" for c in name[:40])
    return text + ("…" if len(name) > 40 else "")


UNKNOWN = {
    "body": _l("unknown field"),
    "query": _l("unknown query parameter"),
    "row": _l("unknown column"),
}
REASONS = {
    "missing": _l("required"),
    "string_type": _l("must be a string"),
    "int_type": _l("must be an integer"),
    "int_parsing": _l("must be an integer"),
    "int_from_float": _l("must be an integer"),
    "float_type": _l("must be a number"),
    "float_parsing": _l("must be a number"),
    "finite_number": _l("must be finite"),
    "bool_type": _l("must be true or false"),
    "bool_parsing": _l("must be true or false"),
    "date_type": _l("must be a date, YYYY-MM-DD"),
    "date_parsing": _l("must be a date, YYYY-MM-DD"),
    "date_from_datetime_parsing": _l("must be a date, YYYY-MM-DD"),
    "date_from_datetime_inexact": _l("must be a date, YYYY-MM-DD"),
    "datetime_type": _l("must be a date-time"),
    "datetime_parsing": _l("must be a date-time"),
    "datetime_from_date_parsing": _l("must be a date-time"),
    "model_type": _l("must be an object"),
    "dict_type": _l("must be an object"),
}


def reason(error: ErrorDetails, where: str = "body") -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "extra_forbidden":
        return str(UNKNOWN[where])
    if kind == "literal_error":
        return _("must be one of %(values)s", values=str(ctx.get("expected", "")).replace("'", ""))
    if kind == "greater_than_equal":
        return _("must be at least %(n)s", n=format(ctx["ge"], "g"))
    if kind == "less_than_equal":
        return _("must be at most %(n)s", n=format(ctx["le"], "g"))
    if kind == "string_too_long":
        return _("must have at most %(n)s characters", n=ctx["max_length"])
    if kind in REASONS:
        return str(REASONS[kind])
    # A custom error of tracker/schemas/types.py: its words are marked there.
    words = error["msg"]
    return _(words)


def problems(exc: ValidationError, where: str = "body") -> list[tuple[str | None, str]]:
    """Every problem of `exc` as (field, reason), the field as the client named it."""
    found: list[tuple[str | None, str]] = []
    for error in exc.errors(include_url=False):
        if error["type"] == "none_required":
            continue  # the other branch of "this type, or left out" says what is wrong
        names = [str(part) for part in error["loc"] if not isinstance(part, int)]
        field = shown(names[0]) if names else None
        found.append((field, reason(error, where)))
    return found


def build(model: type[M], **values: Any) -> M:
    """`model` made from values a form or a row holds: any problem is Unprocessable."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise Unprocessable(problems(exc)) from None
