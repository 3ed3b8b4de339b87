"""Action pages. Reading: every signed-in user. Writing: the action's city's editors, leads
and admins (checked by the services, and before showing a form)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from tracker.actions import bp, present
from tracker.actions.forms import (
    ActionForm,
    CorrectionForm,
    CostForm,
    IndicatorForm,
    NewIndicatorForm,
    ProgressForm,
)
from tracker.domain import permissions
from tracker.extensions import db
from tracker.forms import editable, form_status, saved_or_shown, submit
from tracker.models import Action, Indicator, ProgressUpdate
from tracker.models.frameworks import CDP_STATUS, COVENANT_STATUS
from tracker.paging import PAGE_SIZE, Page, checked, page_number
from tracker.queries import options, overview
from tracker.queries import progress as progress_read
from tracker.queries import review as review_read
from tracker.services import frameworks, plans, progress
from tracker.tables import csv_of, csv_requested
from tracker.vocabulary import number, percent, status_label


def _detail(
    action: Action, form: ProgressForm | None = None, status: int = 200
) -> ResponseReturnValue:
    history = progress_read.history(action.id)
    can_edit = permissions.can_edit_city(current_user, action.plan.city_id)
    if form is None and can_edit:
        form = ProgressForm(
            reported_on=date.today(),
            status=action.status or "on_track",
            percent_complete=action.percent_complete or 0,
        )
    if form is not None:
        form.set_choices(action.indicators)
    reviews = review_read.of_action(action)
    return render_template(
        "actions/detail.html",
        action=action,
        **present.action_page(history).context,
        form=form,
        can_edit=can_edit,
        reviews=reviews,
        awaiting=sum(1 for r in reviews.values() if r.state == "submitted"),
        review_required=current_app.config["REVIEW"] == "required",
        covenant_status=COVENANT_STATUS,
        cdp_status=CDP_STATUS,
    ), status


def _to_action(action_id: int) -> Callable[[Any], str]:
    return lambda _result: url_for("actions.detail", action_id=action_id)


@bp.route("")
@login_required
def index() -> ResponseReturnValue:  # Who: every signed-in user.
    """A whole list of what needs attention, a page at a time: the overview shows its first
    rows and links here."""
    which = request.args.get("attention", "")
    if which not in overview.ATTENTION_LISTS:
        abort(400, _("Choose a list: attention=risky (at risk or delayed) or attention=stale."))
    number = page_number()
    stale_days = current_app.config["STALE_AFTER_DAYS"]
    rows, total = overview.attention_list(
        which, date.today(), stale_days, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
    )
    return render_template(
        "actions/index.html",
        which=which,
        page=checked(Page(rows, number, PAGE_SIZE, total)),
        stale_days=stale_days,
    )


@bp.route("/<id:action_id>")
@login_required
def detail(action_id: int) -> ResponseReturnValue:  # Who: every signed-in user.
    action = db.get_or_404(Action, action_id)
    if csv_requested():
        return csv_of(present.action_page(progress_read.history(action.id)).tables)
    return _detail(action)


@bp.route("/<id:action_id>/progress", methods=["GET", "POST"])
@login_required
def log_progress(action_id: int) -> ResponseReturnValue:  # Who: the city's editors, leads, admins.
    if request.method == "GET":  # a reload of the page shown after an error
        return redirect(url_for("actions.detail", action_id=action_id, _anchor="log"))
    action = db.get_or_404(Action, action_id)
    permissions.require_city_editor(current_user, action.plan.city_id)
    form = ProgressForm()
    form.set_choices(action.indicators)
    done = submit(
        form,
        _logged(action, form),
        redirect_to=_to_action(action.id),
        message=lambda update: stored(_("Progress logged"), update),
    )
    return done or _detail(action, form, 400)


def _logged(action: Action, form: ProgressForm, **report: Any) -> Callable[[], ProgressUpdate]:
    """The form's report (a correction when it names the report it corrects), logged."""
    return lambda: progress.log_progress(
        current_user,
        action,
        form.report(**report),
        today=date.today(),
        unusual_confirmed=form.confirmed_unusual(),
    )


def levels(done: str, indicator: Indicator) -> str:
    """An indicator's stored baseline and target, said back in the page's language."""
    return _(
        "%(done)s: %(name)s, baseline %(baseline)s, target %(target)s (%(unit)s).",
        done=done,
        name=indicator.name,
        baseline=number(indicator.baseline_value, 6),
        target=number(indicator.target_value, 6),
        unit=indicator.unit,
    )


def stored(done: str, update: ProgressUpdate) -> str:
    """What was stored, said back in the page's language: the figures as they will be read."""
    said = [
        f"{status_label(update.status)}, {percent(update.percent_complete)}",
    ]
    if update.indicator is not None and update.indicator_value is not None:
        said.append(
            _(
                "%(indicator)s: %(value)s %(unit)s",
                indicator=update.indicator.name,
                value=number(update.indicator_value, 6),
                unit=update.indicator.unit,
            )
        )
    said_back = _("%(done)s: %(what)s.", done=done, what="; ".join(said))
    if current_app.config["REVIEW"] == "required":
        said_back += " " + _(
            "It awaits review: the public view shows it once a reviewer approves it."
        )
    return said_back


@bp.route("/updates/<id:update_id>/correct", methods=["GET", "POST"])
@login_required
def correct(update_id: int) -> ResponseReturnValue:  # Who: the city's editors, leads, admins.
    corrected = db.get_or_404(ProgressUpdate, update_id)
    if corrected.action is None:
        abort(404)
    action = corrected.action
    permissions.require_city_editor(current_user, action.plan.city_id)
    form = CorrectionForm() if request.method == "POST" else CorrectionForm.of(corrected)
    form.set_choices(action.indicators)
    done = submit(
        form,
        _logged(action, form, corrects_id=corrected.id),
        redirect_to=lambda update: url_for(
            "actions.detail", action_id=action.id, _anchor=f"update-{update.id}"
        ),
        message=lambda update: stored(
            _("Correction saved; the corrected report stays in the history"), update
        ),
    )
    return done or (
        render_template(
            "actions/correct.html",
            action=action,
            corrected=corrected,
            form=form,
        ),
        form_status(form),
    )


@bp.route("/<id:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit(action_id: int) -> ResponseReturnValue:  # Who: the city's editors, leads, admins.
    action = editable(Action, action_id)
    form = ActionForm(obj=action)
    form.set_choices(options.sectors(by="id"), options.themes())
    return saved_or_shown(
        form,
        lambda: plans.update_action(
            current_user, action, version=form.version.data, values=form.values()
        ),
        redirect_to=_to_action(action.id),
        message=_l("Action saved."),
        template="actions/edit.html",
        action=action,
    )


@bp.route("/<id:action_id>/costs", methods=["GET", "POST"])
@login_required
def costs(action_id: int) -> ResponseReturnValue:  # Who: the city's editors, leads, admins.
    action = editable(Action, action_id)
    form = CostForm()
    return saved_or_shown(
        form,
        lambda: frameworks.set_cost(
            current_user,
            action,
            year=int(form.year.data or 0),
            funding_source=form.funding_source.data,
            planned_eur=form.planned_eur.data,
            spent_eur=form.spent_eur.data,
        ),
        redirect_to=lambda _cost: url_for("actions.detail", action_id=action.id) + "#costs",
        message=_l("Cost saved."),
        template="actions/costs.html",
        action=action,
    )


@bp.route("/<id:action_id>/indicators/new", methods=["GET", "POST"])
@login_required
def new_indicator(action_id: int) -> ResponseReturnValue:  # Who: the city's editors, leads, admins.
    action = editable(Action, action_id)
    form = NewIndicatorForm()
    return saved_or_shown(
        form,
        lambda: plans.add_indicator(current_user, action, form.values()),
        redirect_to=_to_action(action.id),
        message=lambda indicator: levels(_("Indicator added"), indicator),
        template="actions/indicator.html",
        action=action,
    )


@bp.route("/indicators/<id:indicator_id>/edit", methods=["GET", "POST"])
@login_required
def edit_indicator(indicator_id: int) -> ResponseReturnValue:  # Who: the city's editors etc.
    indicator = editable(Indicator, indicator_id)
    form = IndicatorForm(obj=indicator)
    return saved_or_shown(
        form,
        lambda: plans.update_indicator(
            current_user, indicator, version=form.version.data, values=form.values()
        ),
        redirect_to=_to_action(indicator.action_id),
        message=lambda _none: levels(_("Indicator saved"), indicator),
        template="actions/indicator.html",
        action=indicator.action,
        indicator=indicator,
    )
