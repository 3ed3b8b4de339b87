"""API endpoints. Reading: any signed-in user or token. Writing: the same people and rules as
the web forms (the services decide), answered with 201 and the new record."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from tracker.api import ApiError, bp
from tracker.api.openapi import MAX_ID, document
from tracker.api.params import Field, Page, body, choice, query
from tracker.extensions import db
from tracker.models import (
    Action,
    City,
    Indicator,
    IndicatorValue,
    Mentorship,
    Milestone,
    Participation,
    Phase,
    Plan,
    Programme,
    ProgressUpdate,
)
from tracker.models.city import PARTICIPATION_ROLES
from tracker.models.plan import ACTION_STATUSES, LGD_STATUSES, PLAN_KINDS
from tracker.services import listings, progress, submissions
from tracker.services import milestones as milestone_service
from tracker.services.audit import jsonable
from tracker.services.errors import NotFound


def listing(select: sa.Select[Any], page: Page, serialise) -> Any:  # type: ignore[no-untyped-def]
    """A page of `select`, which carries a stable order, and the total."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(select.order_by(None).subquery())
    )
    rows = db.session.scalars(select.limit(page.limit).offset(page.offset)).unique().all()
    return jsonify(items=serialise(rows), total=total, limit=page.limit, offset=page.offset)


def get_or_404(model: Any, ident: int) -> Any:
    # Ids beyond the column's range exist nowhere; asking the database would be an error.
    row = db.session.get(model, ident) if 0 < ident <= MAX_ID else None
    if row is None:
        raise NotFound(f"No {model.__name__.lower()} with id {ident}.")
    return row


def plain(obj: Any, *names: str) -> dict[str, Any]:
    return {n: jsonable(getattr(obj, n)) for n in names}


# Programmes and phases ---------------------------------------------------------------------


@bp.route("/programmes")
def programmes() -> ResponseReturnValue:  # Who: any reader.
    _filters, page = query()
    return listing(
        sa.select(Programme).order_by(Programme.starts_on, Programme.id),
        page,
        lambda rows: [
            plain(
                p,
                "slug",
                "name",
                "starts_on",
                "ends_on",
                "declared_core_cities",
                "declared_mentor_cities",
                "lgd_target",
                "source_url",
            )
            for p in rows
        ],
    )


@bp.route("/phases")
def phases() -> ResponseReturnValue:  # Who: any reader.
    filters, page = query("programme")
    select = sa.select(Phase).join(Phase.programme).options(joinedload(Phase.programme))
    if "programme" in filters:
        select = select.where(Programme.slug == filters["programme"])
    return listing(
        select.order_by(Phase.programme_id, Phase.position),
        page,
        lambda rows: [
            {
                **plain(
                    p,
                    "slug",
                    "name",
                    "position",
                    "starts_on",
                    "ends_on",
                    "description",
                    "source_url",
                ),
                "programme": p.programme.slug,
            }
            for p in rows
        ],
    )


# Cities and mentorships ----------------------------------------------------------------------


def _links(city_ids: list[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Each city's mentors and mentees (by slug), for a page of cities, in one query."""
    mentor_p, mentee_p, mentor_c, mentee_c = (
        aliased(Participation),
        aliased(Participation),
        aliased(City),
        aliased(City),
    )
    mentors: dict[int, list[str]] = defaultdict(list)
    mentees: dict[int, list[str]] = defaultdict(list)
    for mentor_id, mentor_slug, mentee_id, mentee_slug in db.session.execute(
        sa.select(mentor_c.id, mentor_c.slug, mentee_c.id, mentee_c.slug)
        .select_from(Mentorship)
        .join(mentor_p, Mentorship.mentor_id == mentor_p.id)
        .join(mentee_p, Mentorship.mentee_id == mentee_p.id)
        .join(mentor_c, mentor_p.city_id == mentor_c.id)
        .join(mentee_c, mentee_p.city_id == mentee_c.id)
        .where(
            sa.or_(mentor_c.id.in_(city_ids), mentee_c.id.in_(city_ids)),
            Mentorship.ended_on.is_(None),
        )
        .order_by(mentor_c.slug, mentee_c.slug)
    ):
        mentees[mentor_id].append(mentee_slug)
        mentors[mentee_id].append(mentor_slug)
    return mentors, mentees


def _cities(rows: list[Participation]) -> list[dict[str, Any]]:
    mentors, mentees = _links([p.city_id for p in rows])
    return [
        {
            **plain(
                p.city,
                "slug",
                "name",
                "local_name",
                "kind",
                "country",
                "latitude",
                "longitude",
                "source_url",
            ),
            "programme": p.programme.slug,
            "role": p.role,
            "joined_on": p.joined_on.isoformat(),
            "communications_ambassador": p.is_communications_ambassador,
            "participation_source_url": p.source_url,
            "mentors": mentors.get(p.city_id, []),
            "mentees": mentees.get(p.city_id, []),
        }
        for p in rows
    ]


@bp.route("/cities")
def cities() -> ResponseReturnValue:  # Who: any reader.
    filters, page = query("city", "country", "sector", role=choice(*PARTICIPATION_ROLES))
    return listing(listings.participations(filters), page, _cities)


@bp.route("/cities/<slug>")
def city(slug: str) -> ResponseReturnValue:  # Who: any reader.
    rows = db.session.scalars(listings.participations({"city": slug})).unique().all()
    if not rows:
        raise NotFound(f"No city with the slug {slug!r}.")
    return jsonify(
        _cities(list(rows))[0]
        | {
            "participations": [
                {
                    "programme": p.programme.slug,
                    "role": p.role,
                    "joined_on": p.joined_on.isoformat(),
                }
                for p in rows
            ]
        }
    )


@bp.route("/mentorships")
def mentorships() -> ResponseReturnValue:  # Who: any reader.
    filters, page = query("city")
    select = listings.mentorships(filters)
    return listing(
        select,
        page,
        lambda rows: [
            {
                **plain(
                    m, "id", "since_on", "ended_on", "focus", "is_demo", "source_url", "version"
                ),
                "programme": m.programme.slug,
                "mentor": m.mentor.city.slug,
                "mentee": m.mentee.city.slug,
                "sector": m.sector.slug if m.sector else None,
            }
            for m in rows
        ],
    )


# Plans, partners, actions ------------------------------------------------------------------


@bp.route("/plans")
def plans() -> ResponseReturnValue:  # Who: any reader.
    filters, page = query("city", "country", kind=choice(*PLAN_KINDS), status=choice(*LGD_STATUSES))
    select = listings.city_scope(
        sa.select(Plan).join(Plan.city).options(joinedload(Plan.city)), filters
    )
    for name in ("kind", "status"):
        if name in filters:
            select = select.where(getattr(Plan, name) == filters[name])
    return listing(
        select.order_by(Plan.id),
        page,
        lambda rows: [
            {
                **plain(
                    p,
                    "id",
                    "slug",
                    "kind",
                    "title",
                    "local_title",
                    "summary",
                    "status",
                    "started_on",
                    "signed_on",
                    "governance",
                    "actions_summary",
                    "integrated_goals",
                    "partnerships",
                    "is_demo",
                    "source_url",
                    "version",
                ),
                "city": p.city.slug,
            }
            for p in rows
        ],
    )


@bp.route("/partners")
def partners() -> ResponseReturnValue:  # Who: any reader.
    filters, page = query("city", "country")
    select = listings.partners(filters)
    return listing(
        select,
        page,
        lambda rows: [
            {
                **plain(
                    p,
                    "id",
                    "external_id",
                    "name",
                    "kind",
                    "commitment",
                    "signed_on",
                    "is_demo",
                    "source_url",
                    "version",
                ),
                "plan_id": p.plan_id,
                "city": p.plan.city.slug,
            }
            for p in rows
        ],
    )


def _action(a: Action) -> dict[str, Any]:
    return {
        **plain(
            a,
            "id",
            "slug",
            "title",
            "description",
            "lead_organisation",
            "starts_on",
            "due_on",
            "status",
            "percent_complete",
            "last_reported_on",
            "is_demo",
            "source_url",
            "version",
        ),
        "ref": f"{a.plan.city.slug}/{a.plan.slug}/{a.slug}",
        "plan_id": a.plan_id,
        "city": a.plan.city.slug,
        "sector": a.sector.slug if a.sector else None,
        "theme": a.theme.slug if a.theme else None,
    }


@bp.route("/actions")
def actions() -> ResponseReturnValue:  # Who: any reader.
    filters, page = query(
        "city", "country", "sector", "updated_since", status=choice(*ACTION_STATUSES)
    )
    select = listings.actions(filters)
    if "updated_since" in filters:
        select = select.where(
            Action.id.in_(
                sa.select(ProgressUpdate.action_id).where(
                    ProgressUpdate.created_at >= filters["updated_since"]
                )
            )
        )
    return listing(select, page, lambda rows: [_action(a) for a in rows])


@bp.route("/actions/<id:action_id>")
def action(action_id: int) -> ResponseReturnValue:  # Who: any reader.
    get_or_404(Action, action_id)
    row = (
        db.session.scalars(listings.actions({}).where(Action.id == action_id))
        .unique()
        .one_or_none()
    )
    if row is None:
        raise NotFound(f"No action with id {action_id}.")
    return jsonify(_action(row))


# Milestones ----------------------------------------------------------------------------------


@bp.route("/milestones")
def milestones() -> ResponseReturnValue:  # Who: any reader.
    filters, page = query(
        "city", "country", "sector", status=choice(*milestone_service.MILESTONE_STATES)
    )
    today = date.today()
    rows, _total = milestone_service.listing(
        milestone_service.MilestoneFilter(
            city=filters.get("city"),
            country=filters.get("country"),
            sector=filters.get("sector"),
            state=filters.get("status"),
        ),
        today,
        current_app.config["DUE_SOON_DAYS"],
        limit=page.limit,
        offset=page.offset,
    )
    slips: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for update in db.session.scalars(
        sa.select(ProgressUpdate)
        .where(
            ProgressUpdate.milestone_id.in_([r.milestone.id for r in rows]),
            ProgressUpdate.due_on.is_not(None),
        )
        .order_by(ProgressUpdate.id)
    ):
        slips[update.milestone_id or 0].append(
            {
                "moved_on": update.reported_on.isoformat(),
                "due_on": jsonable(update.due_on),
                "reason": update.note,
            }
        )
    return jsonify(
        items=[
            {
                **plain(
                    r.milestone,
                    "id",
                    "slug",
                    "title",
                    "description",
                    "location",
                    "planned_on",
                    "due_on",
                    "ends_on",
                    "date_precision",
                    "completed_on",
                    "lgd_step",
                    "is_demo",
                    "source_url",
                    "version",
                ),
                "state": r.state,
                "city": r.city_slug,
                "slips": slips.get(r.milestone.id, []),
            }
            for r in rows
        ],
        total=_total,
        limit=page.limit,
        offset=page.offset,
    )


# Progress updates and indicators -------------------------------------------------------------


def _update(u: ProgressUpdate) -> dict[str, Any]:
    return {
        **plain(
            u,
            "id",
            "external_id",
            "action_id",
            "milestone_id",
            "reported_on",
            "status",
            "percent_complete",
            "note",
            "evidence_url",
            "indicator_id",
            "indicator_value",
            "corrects_id",
            "due_on",
            "completed_on",
            "created_at",
            "is_demo",
        ),
        "corrected_by_id": u.corrected_by.id if u.corrected_by else None,
        "is_effective": u.is_effective,
        "author": u.author.email if u.author else None,
    }


@bp.route("/progress-updates")
def progress_updates() -> ResponseReturnValue:  # Who: any reader.
    filters, page = query(
        "city", "country", "sector", "updated_since", status=choice(*ACTION_STATUSES)
    )
    select = listings.progress_updates(filters)
    if "updated_since" in filters:
        select = select.where(ProgressUpdate.created_at >= filters["updated_since"])
    return listing(select, page, lambda rows: [_update(u) for u in rows])


@bp.route("/indicators")
def indicators() -> ResponseReturnValue:  # Who: any reader.
    filters, page = query("city", "country")
    select = listings.city_scope(
        sa.select(Indicator).join(Indicator.action).join(Action.plan).join(Plan.city), filters
    )
    return listing(
        select.order_by(Indicator.id),
        page,
        lambda rows: [
            plain(
                i,
                "id",
                "action_id",
                "slug",
                "name",
                "unit",
                "baseline_value",
                "baseline_on",
                "target_value",
                "target_on",
                "description",
                "is_demo",
                "source_url",
                "version",
            )
            for i in rows
        ],
    )


@bp.route("/indicators/<id:indicator_id>/values")
def indicator_values(indicator_id: int) -> ResponseReturnValue:  # Who: any reader.
    get_or_404(Indicator, indicator_id)
    filters, page = query("updated_since")
    select = sa.select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator_id, IndicatorValue.effective()
    )
    if "updated_since" in filters:
        select = select.where(IndicatorValue.created_at >= filters["updated_since"])
    return listing(
        select.order_by(IndicatorValue.measured_on, IndicatorValue.id),
        page,
        lambda rows: [
            plain(v, "id", "measured_on", "value", "note", "created_at", "is_demo", "source_url")
            for v in rows
        ],
    )


# Writes --------------------------------------------------------------------------------------

PROGRESS_FIELDS = {
    "reported_on": Field("date"),
    "status": Field("enum", required=True, values=ACTION_STATUSES),
    "percent_complete": Field("integer", required=True, minimum=0, maximum=100),
    "note": Field("string", max_length=progress.NOTE_MAX),
    "evidence_url": Field("uri", max_length=progress.URL_MAX),
    "indicator_id": Field("integer", minimum=1, maximum=MAX_ID),
    "indicator_value": Field("number", minimum=-1e12, maximum=1e12),
    "corrects_id": Field("integer", minimum=1, maximum=MAX_ID),
}


def _blank(text: Any) -> bool:
    return not isinstance(text, str) or not re.search(r"\S", text)


# The conditional rules of the bodies, as the document states them: (field, reason, broken).
Rule = tuple[str, str, Callable[[dict[str, Any]], bool]]
PROGRESS_RULES: list[Rule] = [
    (
        "percent_complete",
        "must be 100 when the status is done",
        lambda v: v.get("status") == "done" and v.get("percent_complete") != 100,
    ),
    (
        "indicator_value",
        "required with indicator_id",
        lambda v: "indicator_id" in v and "indicator_value" not in v,
    ),
    (
        "indicator_id",
        "required with indicator_value",
        lambda v: "indicator_value" in v and "indicator_id" not in v,
    ),
    (
        "reported_on",
        "required for a new report",
        lambda v: "corrects_id" not in v and "reported_on" not in v,
    ),
    (
        "note",
        "a correction needs a note that says why",
        lambda v: "corrects_id" in v and _blank(v.get("note")),
    ),
]
MILESTONE_RULES: list[Rule] = [
    (
        "completed_on",
        "required to mark done",
        lambda v: v["kind"] == "done" and "completed_on" not in v,
    ),
    ("due_on", "required to move", lambda v: v["kind"] == "move" and "due_on" not in v),
    (
        "note",
        "say why (the reason)",
        lambda v: v["kind"] in {"move", "reopen"} and _blank(v.get("note")),
    ),
]


def check_rules(values: dict[str, Any], rules: list[Rule]) -> None:
    errors = [
        {"field": field, "reason": reason} for field, reason, broken in rules if broken(values)
    ]
    if errors:
        raise ApiError(
            422, "Unprocessable Content", "The body breaks the document's rules.", errors
        )


def created(payload: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Commit the write, with its Idempotency-Key and answer when one was sent."""
    text = current_app.json.dumps(payload)
    key = g.get("idempotency_key")
    if key is not None:
        submissions.remember(g.api_user, key, fingerprint=_fingerprint(), status=201, body=text)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        first = submissions.find(g.api_user, key) if key is not None else None
        if first is None:
            raise
        return _replay(first)  # the same key, sent twice at once: the other one was first
    return current_app.response_class(text + "\n", status=201, mimetype="application/json")


def idempotent(view):  # type: ignore[no-untyped-def]
    """Honour an Idempotency-Key header: per account, the same key with the same request stores
    nothing and returns the first answer again; with another request it is refused (422)."""

    @wraps(view)
    def wrapper(**kwargs):  # type: ignore[no-untyped-def]
        key = request.headers.get("Idempotency-Key")
        g.idempotency_key = None
        if key is None:
            return view(**kwargs)
        if not submissions.KEY_PATTERN.fullmatch(key):
            raise ApiError(
                400,
                "Bad Request",
                "The Idempotency-Key header must be 1 to 255 printable ASCII characters.",
            )
        first = submissions.find(g.api_user, key)
        if first is not None:
            if first.fingerprint != _fingerprint():
                raise ApiError(
                    409,
                    "Conflict",
                    "This Idempotency-Key was used for another request; use a new key.",
                )
            return _replay(first)
        g.idempotency_key = key
        return view(**kwargs)

    return wrapper


def _fingerprint() -> str:
    return submissions.fingerprint(request.method, request.path, request.get_data())


def _replay(first):  # type: ignore[no-untyped-def]
    response = current_app.response_class(
        (first.body or "") + "\n", status=first.status, mimetype="application/json"
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.route("/actions/<id:action_id>/progress", methods=["POST"])
@idempotent
def log_progress(
    action_id: int,
) -> ResponseReturnValue:  # Who: the action's city's editors, leads, admins.
    row = get_or_404(Action, action_id)
    values = body(PROGRESS_FIELDS)
    check_rules(values, PROGRESS_RULES)
    update = progress.log_progress(
        g.api_user,
        row,
        progress.ProgressReport(**{"reported_on": None, **values}),
        today=date.today(),
    )
    return created(_update(update))


MILESTONE_FIELDS = {
    "kind": Field("enum", required=True, values=("done", "move", "reopen")),
    "completed_on": Field("date"),
    "due_on": Field("date"),
    "note": Field("string", max_length=progress.NOTE_MAX),
    "evidence_url": Field("uri", max_length=progress.URL_MAX),
    "version": Field("integer", minimum=1, maximum=MAX_ID),
}


@bp.route("/milestones/<id:milestone_id>/progress", methods=["POST"])
@idempotent
def milestone_progress(
    milestone_id: int,
) -> ResponseReturnValue:  # Who: leads for the programme's, plus the city's editors.
    row = get_or_404(Milestone, milestone_id)
    values = body(MILESTONE_FIELDS)
    check_rules(values, MILESTONE_RULES)
    version = values.get("version", row.version)
    if values["kind"] == "done":
        update = milestone_service.mark_done(
            g.api_user,
            row,
            version=version,
            completed_on=values["completed_on"],
            evidence_url=values.get("evidence_url"),
            note=values.get("note"),
            today=date.today(),
        )
    elif values["kind"] == "reopen":
        update = milestone_service.reopen(
            g.api_user, row, version=version, reason=values.get("note", ""), today=date.today()
        )
    else:
        update = milestone_service.move_due_date(
            g.api_user,
            row,
            version=version,
            due_on=values["due_on"],
            reason=values.get("note", ""),
            today=date.today(),
        )
    return created(_update(update))


VALUE_FIELDS = {
    "measured_on": Field("date", required=True),
    "value": Field("number", required=True, minimum=-1e12, maximum=1e12),
    "note": Field("string", max_length=progress.NOTE_MAX),
}


@bp.route("/indicators/<id:indicator_id>/values", methods=["POST"])
@idempotent
def add_indicator_value(
    indicator_id: int,
) -> ResponseReturnValue:  # Who: the indicator's city's editors, leads, admins.
    row = get_or_404(Indicator, indicator_id)
    values = body(VALUE_FIELDS)
    value = progress.record_indicator_value(
        g.api_user,
        row,
        measured_on=values["measured_on"],
        value=values["value"],
        note=values.get("note"),
        today=date.today(),
    )
    return created(
        plain(value, "id", "measured_on", "value", "note", "created_at", "is_demo", "source_url")
    )


# The document ---------------------------------------------------------------------------------


@bp.route("/openapi.json")
def openapi() -> ResponseReturnValue:  # Who: any reader (token or session).
    return jsonify(document())


@bp.route("/docs")
@login_required
def docs() -> ResponseReturnValue:  # Who: every signed-in user.
    return render_template("api/docs.html", spec=document())
