"""Reading a request through its model: the query string or the JSON body, every problem
named with its field, in the words the imports and forms use too."""

from __future__ import annotations

from typing import TypeVar

from flask import request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError

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


def body(model: type[M]) -> M:
    """The JSON object of the request as `model`: 415 if it is not JSON, 400 if it is not an
    object, 422 listing every field that is unknown, missing, null or of the wrong kind."""
    if not request.is_json:
        raise ApiError(415, "Unsupported Media Type", _("Send the body as application/json."))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "Bad Request", _("The body is not a JSON object."))
    found: list[tuple[str | None, str]] = [
        (shown(name), _("must not be null; leave it out instead"))
        for name, value in data.items()
        if value is None and name in model.model_fields
    ]
    try:
        result = model.model_validate_json(request.get_data())
    except ValidationError as exc:
        found += problems(exc)
    if found:
        raise ApiError(
            422, "Unprocessable Content", _("The body has invalid fields."), listed(found)
        )
    return result
