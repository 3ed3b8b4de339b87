"""Editing a city's plans: the Local Green Deal, its partners, actions and indicators."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.domain import permissions
from tracker.domain.errors import Invalid
from tracker.domain.permissions import Actor
from tracker.extensions import db
from tracker.models import Action, City, Indicator, Partner, Plan, Programme
from tracker.models.frameworks import FIELDS as FRAMEWORK_FIELDS
from tracker.services import frameworks
from tracker.services.audit import record_event, update_versioned

PLAN_FIELDS = (
    "title",
    "summary",
    "status",
    "started_on",
    "signed_on",
    "governance",
    "actions_summary",
    "integrated_goals",
    "partnerships",
)
PARTNER_FIELDS = ("name", "kind", "commitment", "signed_on")
ACTION_FIELDS = (
    "title",
    "description",
    "sector_id",
    "theme_id",
    "lead_organisation",
    "starts_on",
    "due_on",
    *FRAMEWORK_FIELDS,
)
INDICATOR_FIELDS = ("name", "unit", "baseline_value", "baseline_on", "target_value", "target_on")


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "item"


def _unique_slug(model: Any, parent_column: Any, parent_id: int, title: str) -> str:
    base = slugify(title)
    taken = set(
        db.session.scalars(
            sa.select(model.slug).where(parent_column == parent_id, model.slug.like(f"{base}%"))
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _pick(values: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(values) - set(fields)
    if unknown:
        raise Invalid(_("Unknown field(s): %(join)s.", join=", ".join(sorted(unknown))))
    return values


def _check_dates(values: dict[str, Any], start: str, end: str) -> None:
    if values.get(start) and values.get(end) and values[end] < values[start]:
        raise Invalid(_("The end date cannot be before the start date."), field=end)


def _check_lgd(values: dict[str, Any]) -> None:
    status = values.get("status")
    if status in ("signed", "implementing", "completed") and not values.get("signed_on"):
        raise Invalid(_("A signed deal needs its signing date."), field="signed_on")
    if values.get("signed_on") and status in (None, "planned", "in_preparation"):
        raise Invalid(_("A deal with a signing date is signed or further."), field="status")


def create_local_green_deal(
    actor: Actor, city: City, programme: Programme, values: dict[str, Any]
) -> Plan:
    permissions.require_city_editor(actor, city.id)
    values = _pick(values, PLAN_FIELDS)
    _check_lgd(values)
    exists = db.session.scalar(
        sa.select(Plan.id).where(
            Plan.city_id == city.id,
            Plan.programme_id == programme.id,
            Plan.kind == "local_green_deal",
        )
    )
    if exists:
        raise Invalid(
            _("%(name)s has a Local Green Deal in this programme already.", name=city.name)
        )
    plan = Plan(
        city_id=city.id,
        programme_id=programme.id,
        kind="local_green_deal",
        slug=_unique_slug(Plan, Plan.city_id, city.id, "local-green-deal"),
        **values,
    )
    db.session.add(plan)
    db.session.flush()
    record_event(actor, "plan.create", "plan", plan.id, city_id=city.id, before={}, after=values)
    return plan


def update_plan(actor: Actor, plan: Plan, *, version: int | None, values: dict[str, Any]) -> None:
    permissions.require_city_editor(actor, plan.city_id)
    values = _pick(values, PLAN_FIELDS)
    if plan.kind == "local_green_deal":
        _check_lgd(values)
    elif values.get("status"):
        raise Invalid(_("Only a Local Green Deal has a deal status."), field="status")
    update_versioned(
        actor,
        plan,
        version=version,
        changes=values,
        verb="plan.update",
        entity_type="plan",
        city_id=plan.city_id,
    )


def _check_partner_name(plan: Plan, name: str, partner_id: int | None = None) -> None:
    query = sa.select(Partner.id).where(Partner.plan_id == plan.id, Partner.name == name)
    if partner_id is not None:
        query = query.where(Partner.id != partner_id)
    if db.session.scalar(query) is not None:
        raise Invalid(_("This plan has a partner of that name already."), field="name")


def add_partner(
    actor: Actor, plan: Plan, values: dict[str, Any], *, external_id: str | None = None
) -> Partner:
    permissions.require_city_editor(actor, plan.city_id)
    values = _pick(values, PARTNER_FIELDS)
    _check_partner_name(plan, values["name"])
    partner = Partner(plan_id=plan.id, external_id=external_id, **values)
    db.session.add(partner)
    db.session.flush()
    record_event(
        actor,
        "partner.create",
        "partner",
        partner.id,
        city_id=plan.city_id,
        before={},
        after=values,
    )
    return partner


def update_partner(
    actor: Actor, partner: Partner, *, version: int | None, values: dict[str, Any]
) -> None:
    permissions.require_city_editor(actor, partner.plan.city_id)
    values = _pick(values, PARTNER_FIELDS)
    _check_partner_name(partner.plan, values["name"], partner.id)
    update_versioned(
        actor,
        partner,
        version=version,
        changes=values,
        verb="partner.update",
        entity_type="partner",
        city_id=partner.plan.city_id,
    )


def add_action(
    actor: Actor, plan: Plan, values: dict[str, Any], *, slug: str | None = None
) -> Action:
    permissions.require_city_editor(actor, plan.city_id)
    values = _pick(values, ACTION_FIELDS)
    _check_dates(values, "starts_on", "due_on")
    frameworks.check(values)
    position = (
        db.session.scalar(sa.select(sa.func.max(Action.position)).where(Action.plan_id == plan.id))
        or 0
    ) + 1
    action = Action(
        plan_id=plan.id,
        position=position,
        slug=slug or _unique_slug(Action, Action.plan_id, plan.id, values["title"]),
        **values,
    )
    db.session.add(action)
    db.session.flush()
    record_event(
        actor, "action.create", "action", action.id, city_id=plan.city_id, before={}, after=values
    )
    return action


def update_action(
    actor: Actor, action: Action, *, version: int | None, values: dict[str, Any]
) -> None:
    permissions.require_city_editor(actor, action.plan.city_id)
    values = _pick(values, ACTION_FIELDS)
    _check_dates(values, "starts_on", "due_on")
    frameworks.check({**{f: getattr(action, f) for f in FRAMEWORK_FIELDS}, **values})
    update_versioned(
        actor,
        action,
        version=version,
        changes=values,
        verb="action.update",
        entity_type="action",
        city_id=action.plan.city_id,
    )


def add_indicator(actor: Actor, action: Action, values: dict[str, Any]) -> Indicator:
    permissions.require_city_editor(actor, action.plan.city_id)
    values = _pick(values, INDICATOR_FIELDS)
    indicator = Indicator(
        action_id=action.id,
        slug=_unique_slug(Indicator, Indicator.action_id, action.id, values["name"]),
        **values,
    )
    db.session.add(indicator)
    db.session.flush()
    record_event(
        actor,
        "indicator.create",
        "indicator",
        indicator.id,
        city_id=action.plan.city_id,
        before={},
        after=values,
    )
    return indicator


def update_indicator(
    actor: Actor, indicator: Indicator, *, version: int | None, values: dict[str, Any]
) -> None:
    permissions.require_city_editor(actor, indicator.action.plan.city_id)
    values = _pick(values, INDICATOR_FIELDS)
    update_versioned(
        actor,
        indicator,
        version=version,
        changes=values,
        verb="indicator.update",
        entity_type="indicator",
        city_id=indicator.action.plan.city_id,
    )
