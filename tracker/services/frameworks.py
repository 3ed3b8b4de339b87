"""What the Covenant of Mayors and CDP ask of an action (models/frameworks.py): the rules its
fields keep whatever door they come by (the action form, an import), and its costs per year
and funding source, set, changed or removed by the city's editors."""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.domain import permissions
from tracker.domain.errors import Invalid
from tracker.domain.permissions import Actor
from tracker.extensions import db
from tracker.models import Action, ActionCost
from tracker.models.frameworks import (
    COM_AREAS,
    COM_INSTRUMENTS,
    COM_SECTORS,
    FUNDING_SOURCES,
    IMPACTS,
    ORIGINS,
)
from tracker.services.audit import record_event

CODES: dict[str, tuple[str, ...]] = {
    "com_sector": COM_SECTORS,
    "com_area": tuple(COM_AREAS),
    "com_instrument": COM_INSTRUMENTS,
    "origin": ORIGINS,
}
YEARS = (1990, 2100)
MOST_EUR = 1e12  # more than any city's action costs: a larger figure is a typing slip


def check(values: dict[str, Any]) -> None:
    """Refuse framework values that break a rule: a code not in its list, an area of
    intervention outside its sector, a year out of range or years out of order, an impact
    that is negative or not finite."""
    for name, allowed in CODES.items():
        if values.get(name) is not None and values[name] not in allowed:
            raise Invalid(_("Choose one of the listed values."), field=name)
    sector, area = values.get("com_sector"), values.get("com_area")
    if sector and area and sector not in COM_AREAS[area]:
        raise Invalid(
            _("That area of intervention does not belong to the chosen sector."), field="com_area"
        )
    for name in ("start_year", "end_year"):
        year = values.get(name)
        if year is not None and not YEARS[0] <= year <= YEARS[1]:
            raise Invalid(_("Give a year from %(a)s to %(b)s.", a=YEARS[0], b=YEARS[1]), field=name)
    start, end = values.get("start_year"), values.get("end_year")
    if start is not None and end is not None and end < start:
        raise Invalid(_("The end year cannot be before the start year."), field="end_year")
    for name in IMPACTS:
        value = values.get(name)
        if value is not None and (not math.isfinite(value) or value < 0):
            raise Invalid(_("Give a number of zero or more."), field=name)


def set_cost(
    actor: Actor,
    action: Action,
    *,
    year: int,
    funding_source: str,
    planned_eur: float | None,
    spent_eur: float | None,
) -> ActionCost | None:
    """Set an action's cost for a year and funding source; with neither figure, remove it."""
    permissions.require_city_editor(actor, action.plan.city_id)
    if not YEARS[0] <= year <= YEARS[1]:
        raise Invalid(_("Give a year from %(a)s to %(b)s.", a=YEARS[0], b=YEARS[1]), field="year")
    if funding_source not in FUNDING_SOURCES:
        raise Invalid(_("Choose one of the listed values."), field="funding_source")
    for name, value in (("planned_eur", planned_eur), ("spent_eur", spent_eur)):
        if value is not None and (not math.isfinite(value) or not 0 <= value <= MOST_EUR):
            raise Invalid(_("Give an amount in euros of zero or more."), field=name)
    cost = db.session.scalar(
        sa.select(ActionCost).where(
            ActionCost.action_id == action.id,
            ActionCost.year == year,
            ActionCost.funding_source == funding_source,
        )
    )
    before = (
        {"planned_eur": cost.planned_eur, "spent_eur": cost.spent_eur} if cost is not None else {}
    )
    removed = planned_eur is None and spent_eur is None
    if removed:
        if cost is not None:
            db.session.delete(cost)
        cost = None
    elif cost is None:
        cost = ActionCost(
            action_id=action.id,
            year=year,
            funding_source=funding_source,
            planned_eur=planned_eur,
            spent_eur=spent_eur,
        )
        db.session.add(cost)
    else:
        cost.planned_eur, cost.spent_eur = planned_eur, spent_eur
    after = {} if removed else {"planned_eur": planned_eur, "spent_eur": spent_eur}
    db.session.flush()
    record_event(
        actor,
        "action.cost",
        "action",
        action.id,
        city_id=action.plan.city_id,
        before={"year": year, "funding_source": funding_source, **before},
        after={"year": year, "funding_source": funding_source, **after},
    )
    return cost
