"""The rules a progress report keeps whatever door it comes in by (web, API, import, seeds),
in the words every door refuses it with."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from tracker.domain.errors import Invalid, Unprocessable
from tracker.i18n import written_date
from tracker.schemas.reports import ProgressReport


def rule_errors(report: ProgressReport) -> list[tuple[str | None, str]]:
    """The rules between a report's fields, which hold whatever is stored: every door (web,
    API, import, seeds) is refused with these same words."""
    errors: list[tuple[str | None, str]] = []
    if report.status == "done" and report.percent_complete != 100:
        errors.append(("percent_complete", _("An action that is done is 100 percent complete.")))
    if (report.indicator_id is None) != (report.indicator_value is None):
        field = "indicator_value" if report.indicator_id is not None else "indicator_id"
        errors.append((field, _("Give an indicator and its value together.")))
    if report.corrects_id is None and report.reported_on is None:
        errors.append(("reported_on", _("Give the reported date.")))
    if report.corrects_id is not None and not (report.note or "").strip():
        errors.append(("note", _("A correction needs a note that says why.")))
    return errors


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
