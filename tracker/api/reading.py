"""Reading a request through its model: the query string or the JSON body, every problem
named with its field, in the words the imports and forms use too."""

from __future__ import annotations

from typing import TypeVar

from flask import current_app, request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json

from tracker.api import ApiError
from tracker.schemas.base import problems, shown

M = TypeVar("M", bound=BaseModel)


def listed(found: list[tuple[str | None, str]]) -> list[dict[str, str]]:
    return [{"field": field or "-", "reason": reason} for field, reason in found]


def query(model: type[M]) -> M:
    """The query string as `model`: 400 naming each unknown or invalid parameter."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise ApiError(
            400,
            "Bad Request",
            _("Some query parameters are invalid."),
            listed(problems(exc, "query")),
        ) from None


# A body nested deeper than this is refused (400): every body the API reads is one flat object.
MAX_DEPTH = 32


def _raw_body() -> bytes:
    """The body's bytes, refused (413) past API_MAX_BODY_BYTES, declared or sent."""
    limit = current_app.config["API_MAX_BODY_BYTES"]
    too_large = ApiError(
        413,
        "Content Too Large",
        _("The body is larger than %(limit)s bytes.", limit=f"{limit:,}"),
    )
    if (request.content_length or 0) > limit:
        raise too_large
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise too_large
    return raw


def _parsed(raw: bytes) -> object:
    """The body's JSON, parsed with a depth limit (the parser's own, then MAX_DEPTH): 400 for
    what is not JSON or is nested too deeply, never a crash of the parser."""
    too_deep = ApiError(
        400, "Bad Request", _("The body is nested more than %(n)s levels deep.", n=MAX_DEPTH)
    )
    try:
        data = from_json(raw)
    except ValueError as exc:
        if "recursion limit" in str(exc):
            raise too_deep from None
        raise ApiError(400, "Bad Request", _("The body is not valid JSON.")) from None
    level, values = 0, [data]
    while containers := [v for v in values if isinstance(v, dict | list)]:
        level += 1
        if level > MAX_DEPTH:
            raise too_deep
        values = [i for c in containers for i in (c.values() if isinstance(c, dict) else c)]
    return data


def body(model: type[M]) -> M:
    """The JSON object of the request as `model`: 415 if it is not JSON, 413 if it is too large,
    400 if it is not a JSON object or is nested too deeply, 422 listing every field that is
    unknown, missing, null or of the wrong kind."""
    if not request.is_json:
        raise ApiError(415, "Unsupported Media Type", _("Send the body as application/json."))
    raw = _raw_body()
    data = _parsed(raw)
    if not isinstance(data, dict):
        raise ApiError(400, "Bad Request", _("The body is not a JSON object."))
    found: list[tuple[str | None, str]] = [
        (shown(name), _("must not be null; leave it out instead"))
        for name, value in data.items()
        if value is None and name in model.model_fields
    ]
    try:
        result = model.model_validate_json(raw)
    except ValidationError as exc:
        found += problems(exc)
    if found:
        raise ApiError(
            422, "Unprocessable Content", _("The body has invalid fields."), listed(found)
        )
    return result
