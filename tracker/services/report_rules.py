"""The rules a progress report keeps whatever door it comes in by (web, API, import, seeds),
in the words every door refuses it with."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from tracker.domain.errors import Invalid, Unprocessable
from tracker.i18n import written_date
from tracker.schemas.reports import PROGRESS_RULES, ProgressReport
from tracker.schemas.rules import broken


def rule_errors(report: ProgressReport) -> list[tuple[str | None, str]]:
    """The rules between a report's fields (schemas/reports.py, where the API's document is
    made from them too), which hold whatever is stored."""
    return broken(PROGRESS_RULES, report)


def check_report(report: ProgressReport) -> None:
    if errors := rule_errors(report):
        raise Unprocessable(errors)


def check_correction(
    *, belongs: bool, corrected_by: object, kept_on: date | None, reported_on: date | None
) -> None:
    """A correction names an update of the same action that no correction names yet, and keeps
    its date: the rule every door (a report, an import) is refused by, in these words."""
    if not belongs:
        raise Invalid(
            _("The corrected update does not belong to this action."), field="corrects_id"
        )
    if corrected_by is not None:
        raise Invalid(
            _(
                "That update was corrected already (update %(id)s); correct the correction "
                "instead.",
                id=corrected_by,
            ),
            field="corrects_id",
        )
    if reported_on is not None and kept_on is not None and reported_on != kept_on:
        raise Invalid(
            _(
                "A correction keeps the reported date of the update it corrects (%(date)s); to "
                "report another date, log a new report.",
                date=written_date(kept_on),
            ),
            field="reported_on",
        )


def check_date(reported_on: date, began: date | None, today: date) -> date:
    """A report's date: not in the future, not before its plan began."""
    if reported_on > today:
        raise Invalid(_("The reported date cannot be in the future."), field="reported_on")
    if began and reported_on < began:
        raise Invalid(
            _(
                "The reported date cannot be before the plan began (%(date)s).",
                date=written_date(began),
            ),
            field="reported_on",
        )
    return reported_on
