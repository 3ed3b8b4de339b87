"""The OpenAPI 3.1 document of /api/v1. Its schemas and query parameters are generated from
the models the API validates and serialises with (tracker/schemas); this module only says
which path answers with which model."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema

from tracker.models.base import MAX_ID
from tracker.schemas import queries, records, reports
from tracker.schemas import rounds as round_shapes
from tracker.schemas.types import SLUG_PATTERN

REF = "#/components/schemas/{model}"
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
SLUG = {"type": "string", "pattern": SLUG_PATTERN}

# path: (summary, record, query model); reads (summary, id, record); writes (summary, id, body
# model, result). Path parameters come from the path: {slug} is a city's, {..._id} a record's.
Write = tuple[str, str, type[BaseModel], type[BaseModel]]
LISTS: dict[str, tuple[str, type[BaseModel], type[BaseModel]]] = {
    "/api/v1/programmes": ("Programmes", records.Programme, queries.Programmes),
    "/api/v1/phases": ("Phases of the programmes", records.Phase, queries.Phases),
    "/api/v1/cities": (
        "Cities with their role, coordinates, mentors and mentees",
        records.City,
        queries.Cities,
    ),
    "/api/v1/mentorships": ("Mentor-mentee pairs", records.Mentorship, queries.Mentorships),
    "/api/v1/plans": (
        "Plans: Local Green Deals and climate programmes",
        records.Plan,
        queries.Plans,
    ),
    "/api/v1/partners": ("Partners of the plans", records.Partner, queries.Partners),
    "/api/v1/actions": ("Actions with their current status", records.Action, queries.Actions),
    "/api/v1/milestones": (
        "Milestones with their state and slip history",
        records.Milestone,
        queries.Milestones,
    ),
    "/api/v1/progress-updates": (
        "The full progress history",
        records.ProgressUpdate,
        queries.ProgressUpdates,
    ),
    "/api/v1/indicators": ("Indicators of the actions", records.Indicator, queries.Indicators),
    "/api/v1/indicators/{indicator_id}/values": (
        "An indicator's values",
        records.IndicatorValue,
        queries.IndicatorValues,
    ),
    "/api/v1/review": (
        "Reports awaiting review, oldest first, with their change against the last approved "
        "state (reviewers only; each sees the cities they review)",
        records.ReviewItem,
        queries.ReviewQueue,
    ),
    "/api/v1/rounds": ("Reporting rounds", round_shapes.Round, queries.Rounds),
    "/api/v1/rounds/{round_id}/items": (
        "A closed round's frozen snapshot: each action, indicator and milestone of its cities "
        "as it stood at the close (409 while the round is open)",
        round_shapes.SnapshotEntry,
        queries.RoundItems,
    ),
}
# Lists that also answer another problem than a read's.
LIST_PROBLEMS = {"/api/v1/rounds/{round_id}/items": (409,)}
READS: dict[str, tuple[str, str, type[BaseModel]]] = {
    "/api/v1/cities/{slug}": ("One city", "getCity", records.CityDetail),
    "/api/v1/actions/{action_id}": ("One action", "getAction", records.Action),
    "/api/v1/rounds/{round_id}": ("One reporting round", "getRound", round_shapes.Round),
    "/api/v1/rounds/{round_id}/compare/{other_id}": (
        "What moved between two rounds, in the cities of both (the earlier period first)",
        "compareRounds",
        round_shapes.RoundComparison,
    ),
}
WRITES: dict[str, Write] = {
    "/api/v1/actions/{action_id}/progress": (
        "Report progress on an action",
        "logProgress",
        reports.ProgressReport,
        records.ProgressUpdate,
    ),
    "/api/v1/milestones/{milestone_id}/progress": (
        "Mark a milestone done, move its due date with a reason, or reopen it",
        "reportMilestone",
        reports.MilestoneReport,
        records.ProgressUpdate,
    ),
    "/api/v1/indicators/{indicator_id}/values": (
        "Record an indicator value",
        "addIndicatorValue",
        reports.IndicatorValueReport,
        records.IndicatorValue,
    ),
    "/api/v1/rounds": (
        "Open a reporting round (leads and admins; a city is in at most one open round)",
        "openRound",
        round_shapes.RoundOpening,
        round_shapes.Round,
    ),
    "/api/v1/rounds/{round_id}/close": (
        "Close a round: its snapshot and content hash are frozen (409 if closed already)",
        "closeRound",
        round_shapes.RoundClosing,
        round_shapes.Round,
    ),
    "/api/v1/rounds/{round_id}/cities/{slug}/reports": (
        "A city's reports for the open round, stored together or not at all (the city's "
        "editors; 409 if the round is closed; 422 naming every refused row)",
        "reportInRound",
        round_shapes.RoundReport,
        round_shapes.RoundReported,
    ),
    **{
        f"/api/v1/review/{which}/{{{param}}}/{verb}": (
            f"{title} {what} (reviewers of its city; not one's own report)",
            f"{verb}{op}",
            reports.DecisionBody,
            records.ReviewDecision,
        )
        for which, param, what, op in (
            ("updates", "update_id", "a progress update or milestone report", "Update"),
            ("values", "value_id", "an indicator value", "Value"),
        )
        for verb, title in (("approve", "Approve"), ("return", "Return, with a comment,"))
    },
}
# Files: path, (summary, operation id, media types).
FILES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    f"/api/v1/cities/{{slug}}/{framework}.{fmt}": (
        f"A city's actions as {title}, now or as a closed round froze them ({fmt.upper()})",
        f"{framework}{fmt.capitalize()}",
        (media,),
    )
    for framework, title in (
        ("covenant", "the Covenant of Mayors' mitigation actions sheet"),
        ("cdp", "a CDP-ICLEI Track mitigation actions table"),
    )
    for fmt, media in (
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )
}
ROUND = {
    "name": "round",
    "in": "query",
    "required": False,
    "description": "a reporting round the city reports in: its frozen snapshot",
    "schema": ID,
}
TITLES = {
    400: "Invalid query, or a body that is not JSON or is nested too deeply",
    401: "No valid token or session",
    403: "Not allowed for this account",
    404: "No such record",
    409: "Changed meanwhile, or refused by what is stored",
    413: "The body is larger than the limit (64 KiB unless the server sets another)",
    414: "The query string is longer than 2,048 bytes",
    415: "Not JSON",
    422: "Invalid fields or refused by a rule",
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "A key of your choosing, new for each write (a UUID, say). Sent again by the same "
        "account with the same request (method, path and body), it stores nothing and returns "
        "the first answer again, marked with the header Idempotent-Replayed: true; with another "
        "request it is refused (409). Keys are kept at least 24 hours."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}


# Conditional reads (tracker/api/conditional.py).
ETAG = {
    "description": "The answer's version (weak): send it back in If-None-Match",
    "required": False,
    "schema": {"type": "string"},
}
CONDITIONAL = (
    "Each answer carries an ETag. Send the ETag of your last answer in If-None-Match: while "
    "nothing has changed, the answer is 304 Not Modified, with no body."
)
NOT_MODIFIED = {
    "304": {
        "description": "Nothing changed since the ETag sent in If-None-Match",
        "headers": {"ETag": ETAG},
    }
}


class Generator(GenerateJsonSchema):
    """Schemas without a title on every property and without `default: null` on the optional
    fields of a body (which are left out, never sent as null)."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def generate(self, schema: Any, mode: JsonSchemaMode = "validation") -> Any:
        return _without_null_defaults(super().generate(schema, mode))


def _without_null_defaults(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: _without_null_defaults(v)
            for k, v in node.items()
            if not (k == "default" and v is None)
        }
    if isinstance(node, list):
        return [_without_null_defaults(v) for v in node]
    return node


def ref(model: type[BaseModel], mode: JsonSchemaMode = "serialization") -> dict[str, Any]:
    """The reference to `model`'s schema in the document's components."""
    return dict(generated()[0][(model, mode)])


def problem_responses(*codes: int) -> dict[str, Any]:
    return {
        str(c): {
            "description": TITLES[c],
            "content": {"application/problem+json": {"schema": ref(records.Problem)}},
        }
        for c in codes
    }


def path_params(path: str) -> list[dict[str, Any]]:
    """The parameters a path names in braces: a city's slug, or a record's id."""
    return [
        {"name": n, "in": "path", "required": True, "schema": SLUG if n == "slug" else ID}
        for n in re.findall(r"\{(\w+)\}", path)
    ]


def query_params(model: type[BaseModel]) -> list[dict[str, Any]]:
    properties = model.model_json_schema(schema_generator=Generator)["properties"]
    found = []
    for name, schema in properties.items():
        schema = dict(schema)
        description = schema.pop("description", None)
        found.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "schema": schema,
                **({"description": description} if description else {}),
            }
        )
    return found


def list_op(path: str) -> dict[str, Any]:
    """A paged list; one under a path parameter also answers 404 for an unknown parent."""
    summary, record, query = LISTS[path]
    params = path_params(path)
    return {
        "summary": summary,
        "description": CONDITIONAL,
        "operationId": "list" + record.__name__ + "s",
        "parameters": [*params, *query_params(query)],
        "responses": {
            "200": {
                "description": (
                    "A page of records, in a stable order; the total (for a page asked by "
                    "offset) and next_after, to pass as after for the next page"
                ),
                "headers": {"ETag": ETAG},
                "content": {"application/json": {"schema": ref(page(record))}},
            },
            **NOT_MODIFIED,
            **problem_responses(
                400, 401, *([404] if params else []), *LIST_PROBLEMS.get(path, ()), 414
            ),
        },
    }


def read_op(path: str) -> dict[str, Any]:
    summary, op_id, record = READS[path]
    return {
        "summary": summary,
        "description": CONDITIONAL,
        "operationId": op_id,
        "parameters": path_params(path),
        "responses": {
            "200": {
                "description": "The record",
                "headers": {"ETag": ETAG},
                "content": {"application/json": {"schema": ref(record)}},
            },
            **NOT_MODIFIED,
            **problem_responses(400, 401, 404, 414),
        },
    }


def file_op(path: str) -> dict[str, Any]:
    summary, op_id, media = FILES[path]
    return {
        "summary": summary,
        "operationId": op_id,
        "parameters": [*path_params(path), ROUND],
        "responses": {
            "200": {
                "description": "The file: one header row, then one row per action",
                "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in media},
            },
            **problem_responses(400, 401, 404, 414),
        },
    }


def write_op(path: str) -> dict[str, Any]:
    summary, op_id, body, result = WRITES[path]
    return {
        "summary": summary,
        "operationId": op_id,
        "parameters": [*path_params(path), IDEMPOTENCY_KEY],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ref(body, "validation")}},
        },
        "responses": {
            "201": {
                "description": "Stored; the new record",
                "content": {"application/json": {"schema": ref(result)}},
            },
            **problem_responses(400, 401, 403, 404, 409, 413, 414, 415, 422),
        },
    }


@cache
def page(record: type[BaseModel]) -> type[BaseModel]:
    return records.Page[record]  # type: ignore[valid-type]


@cache
def generated() -> tuple[dict[Any, Any], dict[str, Any]]:
    """Every model's schema, records as they are written and bodies as they are read: the
    references to them, and the schemas themselves."""
    shapes: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (records.Problem, "serialization"),
        *((page(r), "serialization") for _, r, _ in LISTS.values()),
        *((r, "serialization") for _, _, r in READS.values()),
        *((w[2], "validation") for w in WRITES.values()),
        *((w[3], "serialization") for w in WRITES.values()),
    ]
    refs, top = models_json_schema(shapes, ref_template=REF, schema_generator=Generator)
    return dict(refs), _without_null_defaults(top["$defs"])


@cache
def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for path in LISTS:
        paths.setdefault(path, {})["get"] = list_op(path)
    for path in READS:
        paths.setdefault(path, {})["get"] = read_op(path)
    for path in WRITES:
        paths.setdefault(path, {})["post"] = write_op(path)
    for path in FILES:
        paths.setdefault(path, {})["get"] = file_op(path)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ICC Tracker API",
            "version": "1.0.0",
            "description": (
                "Read the ICC 2023-25 programme's cities, plans, actions, milestones and "
                "progress; report progress with the same rules as the web forms. Send a personal "
                "token (issued by an administrator) as `Authorization: Bearer <token>`; a "
                "signed-in browser may read too, and write with the X-CSRFToken header. Errors "
                "are application/problem+json (RFC 9457)."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": generated()[1],
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
