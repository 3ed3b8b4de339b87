"""A city's actions shaped for the frameworks it reports to: the Covenant of Mayors' mitigation
actions (one row per action, the template's columns in its order) and a CDP-ICLEI Track style
table, now or as a closed round froze them; and what each framework still needs from the city
(its report readiness). docs/crosswalk.md maps every column both ways, with its source."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Action, ReportingRound
from tracker.models.frameworks import CDP_STATUS, COVENANT_STATUS
from tracker.queries import items
from tracker.queries.items import Key
from tracker.queries.keys import action_ref
from tracker.queries.rounds import snapshot
from tracker.vocabulary import framework_label

# The Covenant's "mitigation actions" sheet: its columns in order (docs/crosswalk.md lists
# them with their source; a test reads that list and compares).
COVENANT_SHEET = "Mitigation actions"
COVENANT_COLUMNS = (
    "Title",
    "Short description",
    "Sector",
    "Area of intervention",
    "Policy instrument",
    "Origin of the action",
    "Responsible body",
    "Implementation start year",
    "Implementation end year",
    "Implementation status",
    "Implementation cost (EUR)",
    "Funding sources",
    "Estimated energy savings (MWh/a)",
    "Estimated renewable energy production (MWh/a)",
    "Estimated GHG emissions reduction (tCO2e/a)",
    "Achieved energy savings (MWh/a)",
    "Achieved renewable energy production (MWh/a)",
    "Achieved GHG emissions reduction (tCO2e/a)",
    "Tracker id",
)
CDP_COLUMNS = (
    "Action title",
    "Action description",
    "Mitigation action category",
    "Action type",
    "Means of implementation",
    "Implementation status",
    "Start year",
    "Expected completion year",
    "Total cost (EUR)",
    "Cost spent so far (EUR)",
    "Majority funding source",
    "Energy savings (MWh)",
    "Renewable energy production (MWh)",
    "Estimated emissions reduction (tCO2e)",
    "Tracker id",
)


def actions_of(city_id: int, round_: ReportingRound | None, *, approved: bool) -> list[Any]:
    """The city's actions' content (items.current's shape): as they stand now, or as the
    round's snapshot froze them, in title order."""
    if round_ is not None:
        state = snapshot(round_, approved=approved, city_id=city_id)
    else:
        state = items.current(sa.select(sa.literal(city_id)), approved=approved)
    found = [(key, content) for key, content in state.items() if key[1] == "action"]
    return sorted(found, key=lambda pair: (str(pair[1]["title"]), pair[0][2]))


def _costs(content: dict[str, Any]) -> tuple[float | None, float | None, dict[str, float]]:
    """Planned and spent in all years, and planned per funding source."""
    planned = spent = None
    by_source: dict[str, float] = {}
    for _year, source, plan, done in content.get("costs", []):
        if plan is not None:
            planned = (planned or 0) + plan
            by_source[source] = by_source.get(source, 0) + plan
        if done is not None:
            spent = (spent or 0) + done
    return planned, spent, by_source


def covenant_row(key: Key, content: dict[str, Any], ref: str, label: Any) -> list[Any]:
    """A Covenant sheet row; `label(field, code)` words a code."""
    planned, _spent, by_source = _costs(content)
    return [
        content["title"],
        content.get("description"),
        label("com_sector", content.get("com_sector")),
        label("com_area", content.get("com_area")),
        label("com_instrument", content.get("com_instrument")),
        label("origin", content.get("origin")),
        content.get("lead_organisation"),
        content.get("start_year"),
        content.get("end_year"),
        COVENANT_STATUS.get(content.get("status") or "", None),
        planned,
        "; ".join(label("funding_source", s) for s in sorted(by_source)) or None,
        content.get("savings_estimated_mwh"),
        content.get("renewables_estimated_mwh"),
        content.get("ghg_estimated_t"),
        content.get("savings_achieved_mwh"),
        content.get("renewables_achieved_mwh"),
        content.get("ghg_achieved_t"),
        ref,
    ]


def cdp_row(key: Key, content: dict[str, Any], ref: str, label: Any) -> list[Any]:
    planned, spent, by_source = _costs(content)
    majority = max(by_source, key=lambda s: (by_source[s], s)) if by_source else None
    return [
        content["title"],
        content.get("description"),
        label("com_sector", content.get("com_sector")),
        label("com_area", content.get("com_area")),
        label("com_instrument", content.get("com_instrument")),
        CDP_STATUS.get(content.get("status") or "", None),
        content.get("start_year"),
        content.get("end_year"),
        planned,
        spent,
        label("funding_source", majority),
        content.get("savings_estimated_mwh"),
        content.get("renewables_estimated_mwh"),
        content.get("ghg_estimated_t"),
        ref,
    ]


# What each framework needs of an action before it can be reported (vocabulary.NEED_LABELS
# words each).
NEEDS: dict[str, tuple[str, ...]] = {
    "covenant": (
        "com_sector",
        "com_area",
        "com_instrument",
        "origin",
        "lead_organisation",
        "start_year",
        "end_year",
        "status",
        "costs",
        "impact",
        "ghg_estimated_t",
    ),
    "cdp": (
        "com_sector",
        "com_area",
        "status",
        "start_year",
        "end_year",
        "costs",
        "ghg_estimated_t",
    ),
}


def _missing(framework: str, content: dict[str, Any]) -> list[str]:
    statuses = COVENANT_STATUS if framework == "covenant" else CDP_STATUS
    missing = []
    for name in NEEDS[framework]:
        if name == "status":
            ok = statuses.get(content.get("status") or "") is not None
        elif name == "costs":
            ok = _costs(content)[0] is not None
        elif name == "impact":
            ok = any(
                content.get(f) is not None
                for f in ("savings_estimated_mwh", "renewables_estimated_mwh")
            )
        else:
            ok = content.get(name) not in (None, "")
        if not ok:
            missing.append(name)
    return missing


@dataclass
class Readiness:
    """Each action of a city with what each framework still needs of it."""

    rows: list[tuple[Key, dict[str, Any], dict[str, list[str]]]] = field(default_factory=list)

    def ready(self, framework: str) -> int:
        return sum(1 for _key, _content, missing in self.rows if not missing[framework])


def readiness(city_id: int, *, approved: bool) -> Readiness:
    found = Readiness()
    for key, content in actions_of(city_id, None, approved=approved):
        found.rows.append((key, content, {f: _missing(f, content) for f in NEEDS}))
    return found


def action_refs(keys: list[Key]) -> dict[int, str]:
    """Each action's city/plan/action reference, for the tracker id column."""
    ids = [k[2] for k in keys]
    if not ids:
        return {}
    return {
        a.id: action_ref(a) for a in db.session.scalars(sa.select(Action).where(Action.id.in_(ids)))
    }


def sheet(
    framework: str, city_id: int, round_: ReportingRound | None, *, approved: bool
) -> Iterator[list[Any]]:
    """The header and rows of a framework's table for a city (codes worded in the request's
    language: the routes ask for English, the frameworks' own)."""
    found = actions_of(city_id, round_, approved=approved)
    refs = action_refs([key for key, _content in found])
    make = covenant_row if framework == "covenant" else cdp_row
    columns = COVENANT_COLUMNS if framework == "covenant" else CDP_COLUMNS
    yield list(columns)
    for key, content in found:
        yield make(key, content, refs.get(key[2], ""), framework_label)
