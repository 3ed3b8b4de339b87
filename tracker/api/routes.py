"""API read endpoints: any signed-in user or token. Each list reads its query through its
model (tracker/schemas/queries.py), takes its select from services/listings.py and answers
each row through its record model (tracker/schemas/records.py). The writes are in writes.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from tracker.api import bp
from tracker.api.openapi import document
from tracker.api.reading import query
from tracker.domain.errors import NotFound
from tracker.extensions import db
from tracker.models import (
    Action,
    Indicator,
    Mentorship,
    Participation,
    Partner,
    Plan,
    ProgressUpdate,
)
from tracker.models.base import MAX_ID
from tracker.models.frameworks import CDP_STATUS, COVENANT_STATUS
from tracker.queries import keys, keyset, listings
from tracker.queries import milestones as milestone_queries
from tracker.queries import review as review_queries
from tracker.schemas import queries, records

Rows = Sequence[Any]


def filters_of(q: queries.Query) -> dict[str, Any]:
    return q.model_dump(exclude_none=True, exclude={"limit", "offset", "after"})


def listing(
    select: sa.Select[Any],
    q: queries.Paged,
    serialise: Callable[[Rows], Any],
    counted: Callable[[], int | None] = lambda: None,
) -> Any:
    """A page of `select` (keyed: a stable order) and where the next one starts; counted
    unless the page is asked with `after`: by `counted` where it can tell (from kept totals),
    else by counting `select`."""
    total = None
    if q.after is None:
        total = counted()
        if total is None:
            total = db.session.scalar(
                sa.select(sa.func.count()).select_from(select.order_by(None).subquery())
            )
    rows, next_after = keyset.page(select, limit=q.limit, offset=q.offset, after=q.after)
    return jsonify(
        items=serialise(rows), total=total, limit=q.limit, offset=q.offset, next_after=next_after
    )


def each(record: type[records.Record]) -> Callable[[Rows], list[dict[str, Any]]]:
    return lambda rows: [record.dump(row) for row in rows]


def get_or_404(model: Any, ident: int) -> Any:
    # Ids beyond the column's range exist nowhere; asking the database would be an error.
    row = db.session.get(model, ident) if 0 < ident <= MAX_ID else None
    if row is None:
        raise NotFound(
            _("No %(lower)s with id %(ident)s.", lower=model.__name__.lower(), ident=ident)
        )
    return row


# Programmes and phases ---------------------------------------------------------------------


@bp.route("/programmes")
def programmes() -> ResponseReturnValue:  # Who: any reader.
    q = query(queries.Programmes)
    return listing(listings.programmes(filters_of(q)), q, each(records.Programme))


def _phases(rows: Rows) -> list[dict[str, Any]]:
    return [records.Phase.dump(p, programme=p.programme.slug) for p in rows]


@bp.route("/phases")
def phases() -> ResponseReturnValue:  # Who: any reader.
    q = query(queries.Phases)
    return listing(listings.phases(filters_of(q)), q, _phases)


# Cities and mentorships ----------------------------------------------------------------------


def _city(p: Participation, mentors: list[str], mentees: list[str]) -> dict[str, Any]:
    return records.City.dump(
        p.city,
        programme=p.programme.slug,
        role=p.role,
        joined_on=p.joined_on,
        communications_ambassador=p.is_communications_ambassador,
        participation_source_url=p.source_url,
        mentors=mentors,
        mentees=mentees,
    )


def _cities(rows: Rows) -> list[dict[str, Any]]:
    mentors, mentees = listings.mentor_links([p.city_id for p in rows])
    return [_city(p, mentors.get(p.city_id, []), mentees.get(p.city_id, [])) for p in rows]


@bp.route("/cities")
def cities() -> ResponseReturnValue:  # Who: any reader.
    q = query(queries.Cities)
    return listing(listings.participations(filters_of(q)), q, _cities)


@bp.route("/cities/<slug>")
def city(slug: str) -> ResponseReturnValue:  # Who: any reader.
    rows = db.session.scalars(listings.participations({"city": slug})).unique().all()
    if not rows:
        raise NotFound(_("No city with the slug %(slug)s.", slug=repr(slug)))
    first = _cities(rows)[0]
    participations = [records.Participation.dump(p, programme=p.programme.slug) for p in rows]
    detail = records.CityDetail.model_validate({**first, "participations": participations})
    return jsonify(detail.model_dump(mode="json"))


def _mentorships(rows: Sequence[Mentorship]) -> list[dict[str, Any]]:
    return [
        records.Mentorship.dump(
            m,
            programme=m.programme.slug,
            mentor=m.mentor.city.slug,
            mentee=m.mentee.city.slug,
            sector=m.sector.slug if m.sector else None,
        )
        for m in rows
    ]


@bp.route("/mentorships")
def mentorships() -> ResponseReturnValue:  # Who: any reader.
    q = query(queries.Mentorships)
    return listing(listings.mentorships(filters_of(q)), q, _mentorships)


# Plans, partners, actions ------------------------------------------------------------------


def _plans(rows: Sequence[Plan]) -> list[dict[str, Any]]:
    return [records.Plan.dump(p, city=p.city.slug) for p in rows]


@bp.route("/plans")
def plans() -> ResponseReturnValue:  # Who: any reader.
    q = query(queries.Plans)
    return listing(listings.plans(filters_of(q)), q, _plans)


def _partners(rows: Sequence[Partner]) -> list[dict[str, Any]]:
    return [records.Partner.dump(p, city=p.plan.city.slug) for p in rows]


@bp.route("/partners")
def partners() -> ResponseReturnValue:  # Who: any reader.
    q = query(queries.Partners)
    return listing(listings.partners(filters_of(q)), q, _partners)


def _action(a: Action) -> dict[str, Any]:
    return records.Action.dump(
        a,
        ref=keys.action_ref(a),
        city=a.plan.city.slug,
        sector=a.sector.slug if a.sector else None,
        theme=a.theme.slug if a.theme else None,
        covenant_status=COVENANT_STATUS.get(a.status or ""),
        cdp_status=CDP_STATUS.get(a.status or ""),
        costs=[records.Cost.dump(c) for c in a.costs],
    )


@bp.route("/actions")
def actions() -> ResponseReturnValue:  # Who: any reader.
    q = query(queries.Actions)
    filters = filters_of(q)
    return listing(
        listings.actions(filters),
        q,
        lambda rows: [_action(a) for a in rows],
        lambda: listings.counted_actions(filters),
    )


@bp.route("/actions/<id:action_id>")
def action(action_id: int) -> ResponseReturnValue:  # Who: any reader.
    get_or_404(Action, action_id)
    row = (
        db.session.scalars(listings.actions({}).where(Action.id == action_id))
        .unique()
        .one_or_none()
    )
    if row is None:
        raise NotFound(_("No action with id %(action_id)s.", action_id=action_id))
    return jsonify(_action(row))


# Milestones ----------------------------------------------------------------------------------


@bp.route("/milestones")
def milestones() -> ResponseReturnValue:  # Who: any reader.
    q = query(queries.Milestones)
    rows, total = milestone_queries.listing(
        milestone_queries.MilestoneFilter(
            city=q.city, country=q.country, sector=q.sector, state=q.status
        ),
        date.today(),
        current_app.config["DUE_SOON_DAYS"],
        limit=q.limit + 1,  # one more: is there a next page?
        offset=q.offset,
        after=q.after,
    )
    rows, next_after = keyset.cut(rows, q.limit, lambda row: row.milestone.id)
    slips: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for update in milestone_queries.moves([r.milestone.id for r in rows]):
        slips[update.milestone_id or 0].append(
            {"moved_on": update.reported_on, "due_on": update.due_on, "reason": update.note}
        )
    items = [
        records.Milestone.dump(
            r.milestone, state=r.state, city=r.city_slug, slips=slips.get(r.milestone.id, [])
        )
        for r in rows
    ]
    return jsonify(items=items, total=total, limit=q.limit, offset=q.offset, next_after=next_after)


# Progress updates and indicators -------------------------------------------------------------


def review_of(state: review_queries.ReviewState) -> dict[str, Any]:
    return {
        "state": state.state,
        "reviewer": state.reviewer,
        "decided_at": state.decided_at,
        "comment": state.comment,
    }


def update_records(rows: Rows) -> list[dict[str, Any]]:
    """Progress rows as records, each with its review state (one query for the page)."""
    states = review_queries.states_of(update_ids=[u.id for u in rows])
    return [
        records.ProgressUpdate.dump(
            u,
            corrected_by_id=u.corrected_by.id if u.corrected_by else None,
            author=u.author.email if u.author else None,
            review=review_of(states.get(("update", u.id), review_queries.APPROVED_ON_ENTRY)),
        )
        for u in rows
    ]


def update_record(u: ProgressUpdate) -> dict[str, Any]:
    return update_records([u])[0]


def value_records(rows: Rows) -> list[dict[str, Any]]:
    """Indicator values as records, each with its review state (one query for the page)."""
    states = review_queries.states_of(value_ids=[v.id for v in rows])
    return [
        records.IndicatorValue.dump(
            v, review=review_of(states.get(("value", v.id), review_queries.APPROVED_ON_ENTRY))
        )
        for v in rows
    ]


def value_record(v: Any) -> dict[str, Any]:
    return value_records([v])[0]


@bp.route("/progress-updates")
def progress_updates() -> ResponseReturnValue:  # Who: any reader.
    q = query(queries.ProgressUpdates)
    return listing(listings.progress_updates(filters_of(q)), q, update_records)


@bp.route("/indicators")
def indicators() -> ResponseReturnValue:  # Who: any reader.
    q = query(queries.Indicators)
    return listing(listings.indicators(filters_of(q)), q, each(records.Indicator))


@bp.route("/indicators/<id:indicator_id>/values")
def indicator_values(indicator_id: int) -> ResponseReturnValue:  # Who: any reader.
    get_or_404(Indicator, indicator_id)
    q = query(queries.IndicatorValues)
    return listing(listings.indicator_values(indicator_id, filters_of(q)), q, value_records)


# The document ---------------------------------------------------------------------------------


@bp.route("/openapi.json")
def openapi() -> ResponseReturnValue:  # Who: any reader (token or session).
    return jsonify(document())


@bp.route("/docs")
@login_required
def docs() -> ResponseReturnValue:  # Who: every signed-in user.
    return render_template("api/docs.html", spec=document())
