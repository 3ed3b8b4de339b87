"""The OpenAPI 3.1 document of /api/v1, written out by hand from small pieces so that each
schema says exactly what its endpoint returns and accepts."""

from __future__ import annotations

from functools import cache
from typing import Any

from tracker.models.base import MAX_ID
from tracker.models.city import PARTICIPATION_ROLES
from tracker.models.plan import ACTION_STATUSES, LGD_STATUSES, PARTNER_KINDS, PLAN_KINDS
from tracker.services.milestones import MILESTONE_STATES
from tracker.services.progress import NOTE_MAX, URL_MAX


def t(kind: str, nullable: bool = False, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"] if nullable else kind, **extra}


STR, STR_N = t("string"), t("string", True)
INT, INT_N = t("integer"), t("integer", True)
NUM_N, BOOL = t("number", True), t("boolean")
DATE, DATE_N = t("string", format="date"), t("string", True, format="date")
TIME_N = t("string", True, format="date-time")


def obj(required: bool = True, **properties: Any) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(properties)
    return schema


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "required": ["type", "status", "title"],
        "properties": {
            "type": STR,
            "status": INT,
            "title": STR,
            "detail": STR,
            "errors": {"type": "array", "items": obj(field=STR_N, reason=STR)},
        },
    },
    "Programme": obj(
        slug=STR,
        name=STR,
        starts_on=DATE,
        ends_on=DATE,
        declared_core_cities=INT_N,
        declared_mentor_cities=INT_N,
        lgd_target=INT_N,
        source_url=STR_N,
    ),
    "Phase": obj(
        slug=STR,
        name=STR,
        position=INT,
        starts_on=DATE_N,
        ends_on=DATE_N,
        description=STR_N,
        source_url=STR_N,
        programme=STR,
    ),
    "City": obj(
        slug=STR,
        name=STR,
        local_name=STR_N,
        kind=STR,
        country=STR,
        latitude=NUM_N,
        longitude=NUM_N,
        source_url=STR_N,
        programme=STR,
        role={"type": "string", "enum": list(PARTICIPATION_ROLES)},
        joined_on=DATE,
        communications_ambassador=BOOL,
        participation_source_url=STR_N,
        mentors={"type": "array", "items": STR},
        mentees={"type": "array", "items": STR},
    ),
    "Mentorship": obj(
        id=INT,
        since_on=DATE,
        ended_on=DATE_N,
        focus=STR_N,
        is_demo=BOOL,
        source_url=STR_N,
        version=INT,
        programme=STR,
        mentor=STR,
        mentee=STR,
        sector=STR_N,
    ),
    "Plan": obj(
        id=INT,
        slug=STR,
        kind={"type": "string", "enum": list(PLAN_KINDS)},
        title=STR,
        local_title=STR_N,
        summary=STR_N,
        status={"type": ["string", "null"], "enum": [*LGD_STATUSES, None]},
        started_on=DATE_N,
        signed_on=DATE_N,
        governance=STR_N,
        actions_summary=STR_N,
        integrated_goals=STR_N,
        partnerships=STR_N,
        is_demo=BOOL,
        source_url=STR_N,
        version=INT,
        city=STR,
    ),
    "Partner": obj(
        id=INT,
        external_id=STR_N,
        name=STR,
        kind={"type": "string", "enum": list(PARTNER_KINDS)},
        commitment=STR_N,
        signed_on=DATE_N,
        is_demo=BOOL,
        source_url=STR_N,
        version=INT,
        plan_id=INT,
        city=STR,
    ),
    "Action": obj(
        id=INT,
        slug=STR,
        title=STR,
        description=STR_N,
        lead_organisation=STR_N,
        starts_on=DATE_N,
        due_on=DATE_N,
        status={"type": ["string", "null"], "enum": [*ACTION_STATUSES, None]},
        percent_complete=t("integer", True, minimum=0, maximum=100),
        last_reported_on=DATE_N,
        is_demo=BOOL,
        source_url=STR_N,
        version=INT,
        ref=STR,
        plan_id=INT,
        city=STR,
        sector=STR_N,
        theme=STR_N,
    ),
    "Milestone": obj(
        id=INT,
        slug=STR,
        title=STR,
        description=STR_N,
        location=STR_N,
        planned_on=DATE,
        due_on=DATE,
        ends_on=DATE_N,
        date_precision=STR,
        completed_on=DATE_N,
        lgd_step=STR_N,
        is_demo=BOOL,
        source_url=STR_N,
        version=INT,
        state={"type": "string", "enum": list(MILESTONE_STATES)},
        city=STR_N,
        slips={"type": "array", "items": obj(moved_on=DATE, due_on=DATE, reason=STR_N)},
    ),
    "ProgressUpdate": obj(
        id=INT,
        external_id=STR_N,
        action_id=INT_N,
        milestone_id=INT_N,
        reported_on=DATE,
        status={"type": ["string", "null"], "enum": [*ACTION_STATUSES, None]},
        percent_complete=t("integer", True, minimum=0, maximum=100),
        note=STR_N,
        evidence_url=STR_N,
        indicator_id=INT_N,
        indicator_value=NUM_N,
        corrects_id=INT_N,
        corrected_by_id=INT_N,
        is_effective=BOOL,
        due_on=DATE_N,
        completed_on=DATE_N,
        created_at=TIME_N,
        is_demo=BOOL,
        author=STR_N,
    ),
    "Indicator": obj(
        id=INT,
        action_id=INT,
        slug=STR,
        name=STR,
        unit=STR,
        baseline_value=NUM_N,
        baseline_on=DATE_N,
        target_value=NUM_N,
        target_on=DATE_N,
        description=STR_N,
        is_demo=BOOL,
        source_url=STR_N,
        version=INT,
    ),
    "IndicatorValue": obj(
        id=INT,
        measured_on=DATE,
        value=t("number"),
        note=STR_N,
        created_at=TIME_N,
        is_demo=BOOL,
        source_url=STR_N,
    ),
}

URL_PATTERN = r"^https?://\S+$"
NOT_BLANK = r"\S"  # a reason: at least one character that is not white space
BODIES: dict[str, Any] = {
    "ProgressReport": {
        "type": "object",
        "additionalProperties": False,
        "required": ["status", "percent_complete"],
        "properties": {
            "reported_on": {
                **DATE,
                "description": "not in the future, not before the plan began; required for a "
                "new report; a correction keeps the date of the update it corrects",
            },
            "status": {"type": "string", "enum": list(ACTION_STATUSES)},
            "percent_complete": {
                "type": "integer",
                "minimum": 0,
                "maximum": 100,
                "description": "100 when the status is done",
            },
            "note": {"type": "string", "maxLength": NOTE_MAX},
            "evidence_url": {"type": "string", "maxLength": URL_MAX, "pattern": URL_PATTERN},
            "indicator_id": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_ID,
                "description": "an indicator of this action; with indicator_value",
            },
            "indicator_value": {"type": "number", "minimum": -1e12, "maximum": 1e12},
            "corrects_id": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_ID,
                "description": "the update of this action it corrects (one no correction names "
                "yet); a correction needs a note that says why and takes that update's place "
                "in time",
            },
        },
        # The rules that hold whatever is stored; the ones that depend on what is stored (the
        # plan's start, whose indicator, which update) are answered with 409.
        "dependentRequired": {
            "indicator_id": ["indicator_value"],
            "indicator_value": ["indicator_id"],
            "corrects_id": ["note"],
        },
        "allOf": [
            {
                "if": {"required": ["status"], "properties": {"status": {"const": "done"}}},
                "then": {"properties": {"percent_complete": {"const": 100}}},
            },
            {"if": {"not": {"required": ["corrects_id"]}}, "then": {"required": ["reported_on"]}},
            {
                "if": {"required": ["corrects_id"]},
                "then": {"properties": {"note": {"pattern": NOT_BLANK}}},
            },
        ],
    },
    "MilestoneReport": {
        "type": "object",
        "additionalProperties": False,
        "required": ["kind"],
        "properties": {
            "kind": {
                "type": "string",
                "enum": ["done", "move", "reopen"],
                "description": "done needs completed_on; move needs due_on and a note (the "
                "reason) and is refused on a done milestone; reopen undoes a done and needs a "
                "note (the reason)",
            },
            "completed_on": DATE,
            "due_on": DATE,
            "note": {"type": "string", "maxLength": NOTE_MAX},
            "evidence_url": {"type": "string", "maxLength": URL_MAX, "pattern": URL_PATTERN},
            "version": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_ID,
                "description": "the version read; a stale one is refused with 409",
            },
        },
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": "done"}}},
                "then": {"required": ["completed_on"]},
            },
            {
                "if": {"properties": {"kind": {"const": "move"}}},
                "then": {
                    "required": ["due_on", "note"],
                    "properties": {"note": {"pattern": NOT_BLANK}},
                },
            },
            {
                "if": {"properties": {"kind": {"const": "reopen"}}},
                "then": {"required": ["note"], "properties": {"note": {"pattern": NOT_BLANK}}},
            },
        ],
    },
    "IndicatorValueReport": {
        "type": "object",
        "additionalProperties": False,
        "required": ["measured_on", "value"],
        "properties": {
            "measured_on": {**DATE, "description": "not in the future"},
            "value": {"type": "number", "minimum": -1e12, "maximum": 1e12},
            "note": {"type": "string", "maxLength": NOTE_MAX},
        },
    },
}


def param(
    name: str, schema: dict[str, Any], where: str = "query", description: str = ""
) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": schema,
        **({"description": description} if description else {}),
    }


SLUG = {"type": "string", "pattern": "^[a-z0-9-]{1,80}$"}
PARAMS = {
    "city": param("city", SLUG, description="a city's slug"),
    "programme": param("programme", SLUG, description="a programme's slug"),
    "sector": param("sector", SLUG, description="a sector's slug"),
    "country": param("country", {"type": "string", "pattern": "^[A-Z]{2}$"}),
    "updated_since": param(
        "updated_since",
        {"type": "string", "format": "date-time"},
        description="only what was reported at or after this moment",
    ),
    "limit": param("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}),
    "offset": param("offset", {"type": "integer", "minimum": 0, "maximum": 10**9, "default": 0}),
}


def enum_param(name: str, values: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return param(name, {"type": "string", "enum": list(values)})


def problem_responses(*codes: int) -> dict[str, Any]:
    titles = {
        400: "Invalid query or body",
        401: "No valid token or session",
        403: "Not allowed for this account",
        404: "No such record",
        409: "Changed meanwhile",
        415: "Not JSON",
        422: "Invalid fields or refused by a rule",
    }
    return {
        str(c): {
            "description": titles[c],
            "content": {"application/problem+json": {"schema": ref("Problem")}},
        }
        for c in codes
    }


def list_op(summary: str, schema: str, params: list[dict[str, Any]]) -> dict[str, Any]:
    """A paged list; one under a path parameter also answers 404 for an unknown parent."""
    page = {
        "type": "object",
        "required": ["items", "total", "limit", "offset"],
        "properties": {
            "items": {"type": "array", "items": ref(schema)},
            "total": INT,
            "limit": INT,
            "offset": INT,
        },
    }
    return {
        "get": {
            "summary": summary,
            "operationId": "list" + schema + "s",
            "parameters": [*params, PARAMS["limit"], PARAMS["offset"]],
            "responses": {
                "200": {
                    "description": "A page of records, in a stable order, and the total",
                    "content": {"application/json": {"schema": page}},
                },
                **problem_responses(
                    400, 401, *([404] if any(p["in"] == "path" for p in params) else [])
                ),
            },
        }
    }


def read_op(summary: str, schema: str, op_id: str, params: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "operationId": op_id,
            "parameters": params,
            "responses": {
                "200": {
                    "description": "The record",
                    "content": {"application/json": {"schema": ref(schema)}},
                },
                **problem_responses(400, 401, 404),
            },
        }
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


def write_op(summary: str, op_id: str, body: str, result: str, id_name: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "operationId": op_id,
            "parameters": [
                param(id_name, {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "path"),
                IDEMPOTENCY_KEY,
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}
                },
            },
            "responses": {
                "201": {
                    "description": "Stored; the new record",
                    "content": {"application/json": {"schema": ref(result)}},
                },
                **problem_responses(400, 401, 403, 404, 409, 415, 422),
            },
        }
    }


ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


@cache
def document() -> dict[str, Any]:
    p = PARAMS
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
        "paths": {
            "/api/v1/programmes": list_op("Programmes", "Programme", []),
            "/api/v1/phases": list_op("Phases of the programmes", "Phase", [p["programme"]]),
            "/api/v1/cities": list_op(
                "Cities with their role, coordinates, mentors and mentees",
                "City",
                [p["city"], p["country"], p["sector"], enum_param("role", PARTICIPATION_ROLES)],
            ),
            "/api/v1/cities/{slug}": read_op(
                "One city", "City", "getCity", [param("slug", SLUG, "path")]
            ),
            "/api/v1/mentorships": list_op("Mentor-mentee pairs", "Mentorship", [p["city"]]),
            "/api/v1/plans": list_op(
                "Plans: Local Green Deals and climate programmes",
                "Plan",
                [
                    p["city"],
                    p["country"],
                    enum_param("kind", PLAN_KINDS),
                    enum_param("status", LGD_STATUSES),
                ],
            ),
            "/api/v1/partners": list_op(
                "Partners of the plans", "Partner", [p["city"], p["country"]]
            ),
            "/api/v1/actions": list_op(
                "Actions with their current status",
                "Action",
                [
                    p["city"],
                    p["country"],
                    p["sector"],
                    p["updated_since"],
                    enum_param("status", ACTION_STATUSES),
                ],
            ),
            "/api/v1/actions/{action_id}": read_op(
                "One action", "Action", "getAction", [param("action_id", ID, "path")]
            ),
            "/api/v1/actions/{action_id}/progress": write_op(
                "Report progress on an action",
                "logProgress",
                "ProgressReport",
                "ProgressUpdate",
                "action_id",
            ),
            "/api/v1/milestones": list_op(
                "Milestones with their state and slip history",
                "Milestone",
                [p["city"], p["country"], p["sector"], enum_param("status", MILESTONE_STATES)],
            ),
            "/api/v1/milestones/{milestone_id}/progress": write_op(
                "Mark a milestone done, or move its due date with a reason",
                "reportMilestone",
                "MilestoneReport",
                "ProgressUpdate",
                "milestone_id",
            ),
            "/api/v1/progress-updates": list_op(
                "The full progress history",
                "ProgressUpdate",
                [
                    p["city"],
                    p["country"],
                    p["sector"],
                    p["updated_since"],
                    enum_param("status", ACTION_STATUSES),
                ],
            ),
            "/api/v1/indicators": list_op(
                "Indicators of the actions", "Indicator", [p["city"], p["country"]]
            ),
            "/api/v1/indicators/{indicator_id}/values": {
                **list_op(
                    "An indicator's values",
                    "IndicatorValue",
                    [param("indicator_id", ID, "path"), p["updated_since"]],
                ),
                **write_op(
                    "Record an indicator value",
                    "addIndicatorValue",
                    "IndicatorValueReport",
                    "IndicatorValue",
                    "indicator_id",
                ),
            },
        },
        "components": {
            "schemas": {**SCHEMAS, **BODIES},
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
