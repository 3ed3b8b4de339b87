"""A city's round page as a sheet: one row per action, indicator and milestone with its last
value and fields for the new one, read back into one `RoundReport` with an error beside each
row that cannot be read (numbers and dates as the reader writes them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any

from flask_babel import gettext as _
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from tracker.i18n import read_date, read_number
from tracker.models.plan import ACTION_STATUSES
from tracker.queries.rounds import Key
from tracker.schemas.base import problems
from tracker.schemas.rounds import RoundAction, RoundMilestone, RoundReport, RoundValue
from tracker.vocabulary import day, number, percent, status_label, titled

KINDS = ("action", "indicator", "milestone")


@dataclass
class Row:
    """One item of the sheet: what it stated (`last`), whether it was reported in the round."""

    key: Key
    last: dict[str, Any]
    reported: bool = False

    @property
    def kind(self) -> str:
        return self.key[1]

    @property
    def name(self) -> str:
        """The prefix of the row's fields (action-12, indicator-3, milestone-7)."""
        return f"{self.kind}-{self.key[2]}"


@dataclass
class Sheet:
    rows: list[Row]
    errors: dict[str, str] = field(default_factory=dict)  # row name (or "reported_on") -> why
    # The rows behind each list of the report, in order: the service names a refused row by
    # its place in its list (actions[2]).
    placed: dict[str, list[str]] = field(default_factory=dict)

    def of(self, kind: str) -> list[Row]:
        return [row for row in self.rows if row.kind == kind]


def sheet(items: dict[Key, dict[str, Any]], reported: dict[Key, int]) -> Sheet:
    order = {kind: n for n, kind in enumerate(KINDS)}
    keys = sorted(items, key=lambda k: (order[k[1]], title(items[k]), k[2]))
    return Sheet([Row(k, items[k], k in reported) for k in keys])


def _day(text: str) -> date:
    return date.fromisoformat(read_date(text))


def _reason(exc: ValidationError) -> str:
    return "; ".join(reason for _field, reason in problems(exc))


def read(page: Sheet, form: MultiDict[str, str]) -> RoundReport | None:
    """The report the readable rows make (None when its date cannot be read); each row that
    cannot be read is in `page.errors`. A row left blank reports nothing."""
    try:
        reported_on = _day(form.get("reported_on", ""))
    except ValueError:
        page.errors["reported_on"] = _("Give the date as 2026-03-31 or 31.03.2026.")
        reported_on = None
    actions: list[RoundAction] = []
    values: list[RoundValue] = []
    done: list[RoundMilestone] = []
    page.placed = {"actions": [], "values": [], "milestones": []}
    for row in page.rows:
        typed = {
            name: form.get(f"{row.name}-{name}", "").strip()
            for name in ("status", "percent", "note", "value", "done")
        }
        if not any(typed.values()):
            continue
        try:
            if row.kind == "action":
                actions.append(_action(row, typed))
                page.placed["actions"].append(row.name)
            elif row.kind == "indicator":
                values.append(_value(row, typed))
                page.placed["values"].append(row.name)
            else:
                done.append(_milestone(row, typed))
                page.placed["milestones"].append(row.name)
        except ValueError as exc:
            page.errors[row.name] = str(exc)
        except ValidationError as exc:
            page.errors[row.name] = _reason(exc)
    if reported_on is None:
        return None
    # With rows that could not be read, the rows that could are still checked (and rolled
    # back), so that every problem is marked at once.
    return RoundReport(reported_on=reported_on, actions=actions, values=values, milestones=done)


def _action(row: Row, typed: dict[str, str]) -> RoundAction:
    if typed["status"] not in ACTION_STATUSES:
        raise ValueError(_("Choose a status."))
    try:
        number = read_number(typed["percent"])
    except ValueError:
        raise ValueError(_("Give a whole number from 0 to 100.")) from None
    if number != number.to_integral_value() or not 0 <= number <= 100:
        raise ValueError(_("Give a whole number from 0 to 100."))
    return RoundAction(
        action_id=row.key[2],
        status=typed["status"],  # type: ignore[arg-type]
        percent_complete=int(number),
        note=typed["note"] or None,
    )


def _value(row: Row, typed: dict[str, str]) -> RoundValue:
    try:
        number = read_number(typed["value"])
    except ValueError:
        raise ValueError(_("Give a number, written as in the page's language.")) from None
    return RoundValue(indicator_id=row.key[2], value=float(number))


def _milestone(row: Row, typed: dict[str, str]) -> RoundMilestone:
    try:
        completed_on = _day(typed["done"])
    except ValueError:
        raise ValueError(_("Give the date as 2026-03-31 or 31.03.2026.")) from None
    return RoundMilestone(milestone_id=row.key[2], completed_on=completed_on)


def place_errors(page: Sheet, errors: list[tuple[str | None, str]]) -> None:
    """The service's refusals (`actions[2]`, ...) beside their rows."""
    for where, reason in errors:
        name = None
        if where and "[" in where:
            kind, _bracket, rest = where.partition("[")
            index = int(rest.rstrip("]"))
            listed = page.placed.get(kind, [])
            name = listed[index] if index < len(listed) else None
        key = name or "form"
        page.errors[key] = f"{page.errors[key]} {reason}" if key in page.errors else reason


def title(content: dict[str, Any] | None) -> str:
    """An item's title in the reader's language, as `titled` gives a record's."""
    content = content or {}
    return titled(
        SimpleNamespace(
            title=content.get("title") or "",
            local_title=content.get("local_title"),
            lgd_step=content.get("lgd_step"),
        )
    )


def iso(value: object) -> date | None:
    """A date the snapshot holds as ISO text."""
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def describe(kind: str, content: dict[str, Any] | None) -> str:
    """An item's state in words: an action's status and percent, an indicator's value and
    date, a milestone's due date or completion."""
    if content is None:
        return _("(not in this round)")
    if kind == "action":
        if content.get("status") is None:
            return _("no report yet")
        return _(
            "%(status)s, %(percent)s",
            status=status_label(content["status"]),
            percent=percent(content.get("percent")),
        )
    if kind == "indicator":
        if content.get("value") is None:
            return _("no value yet")
        return _(
            "%(value)s %(unit)s on %(date)s",
            value=number(content["value"], 2),
            unit=content.get("unit") or "",
            date=day(iso(content.get("measured_on"))),
        )
    if content.get("completed_on"):
        return _("done on %(date)s", date=day(iso(content["completed_on"])))
    return _("due %(date)s", date=day(iso(content.get("due_on"))))
