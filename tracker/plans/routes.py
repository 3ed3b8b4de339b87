"""Plan pages. Reading: every signed-in user. Writing: the plan's city's editors, leads, admins."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from tracker.actions.forms import NewActionForm
from tracker.domain import permissions
from tracker.domain.states import milestone_state
from tracker.extensions import db
from tracker.forms import editable, form_status, saved_or_shown, submit
from tracker.models import City, Partner, Plan
from tracker.plans import bp
from tracker.plans.forms import NewPartnerForm, NewPlanForm, PartnerForm, PlanForm
from tracker.queries import options, overview
from tracker.services import plans


def _form_page(
    form: FlaskForm, city: City, heading: str, plan: Plan | None = None
) -> ResponseReturnValue:
    return render_template(
        "plans/form.html", form=form, city=city, plan=plan, heading=heading
    ), form_status(form)


def _to_plan(plan_id: int) -> Callable[[Any], str]:
    return lambda _result: url_for("plans.detail", plan_id=plan_id)


@bp.route("/<id:plan_id>")
@login_required
def detail(plan_id: int) -> ResponseReturnValue:  # Who: every signed-in user.
    plan = db.get_or_404(Plan, plan_id)
    today, soon = date.today(), current_app.config["DUE_SOON_DAYS"]
    states = {m.id: milestone_state(m.due_on, m.completed_on, today, soon) for m in plan.milestones}
    return render_template(
        "plans/detail.html",
        plan=plan,
        states=states,
        can_edit=permissions.can_edit_city(current_user, plan.city_id),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create() -> (
    ResponseReturnValue
):  # Who: the city's editors, leads, admins. Makes the city's Local Green Deal.
    city = db.session.scalar(sa.select(City).where(City.slug == request.args.get("city", "")))
    programme = overview.current_programme()
    if city is None or programme is None:
        abort(404)
    permissions.require_city_editor(current_user, city.id)
    form = NewPlanForm(title=f"Local Green Deal of {city.name}")
    done = submit(
        form,
        lambda: plans.create_local_green_deal(current_user, city, programme, form.values()),
        redirect_to=lambda plan: url_for("plans.detail", plan_id=plan.id),
        message=_l("Local Green Deal created."),
    )
    return done or _form_page(form, city, "New Local Green Deal")


def _saved(
    form: FlaskForm,
    call: Callable[[], Any],
    plan: Plan,
    heading: str,
    message: str,
    redirect_to: Callable[[Any], str] | None = None,
) -> ResponseReturnValue:
    """A plan's form saved, or shown again with what was wrong."""
    return saved_or_shown(
        form,
        call,
        redirect_to=redirect_to or _to_plan(plan.id),
        message=message,
        template="plans/form.html",
        city=plan.city,
        plan=plan,
        heading=heading,
    )


@bp.route("/<id:plan_id>/edit", methods=["GET", "POST"])
@login_required
def edit(plan_id: int) -> ResponseReturnValue:  # Who: the plan's city's editors, leads, admins.
    plan = editable(Plan, plan_id)
    form = PlanForm(obj=plan)
    return _saved(
        form,
        lambda: plans.update_plan(
            current_user, plan, version=form.version.data, values=form.values()
        ),
        plan,
        f"Edit {plan.title}",
        _l("Plan saved."),
    )


@bp.route("/<id:plan_id>/partners/new", methods=["GET", "POST"])
@login_required
def new_partner(plan_id: int) -> ResponseReturnValue:  # Who: the plan's city's editors etc.
    plan = editable(Plan, plan_id)
    form = NewPartnerForm()
    return _saved(
        form,
        lambda: plans.add_partner(current_user, plan, form.values()),
        plan,
        "New partner",
        _l("Partner added."),
    )


@bp.route("/partners/<id:partner_id>/edit", methods=["GET", "POST"])
@login_required
def edit_partner(partner_id: int) -> ResponseReturnValue:  # Who: the partner's city's editors.
    partner = editable(Partner, partner_id)
    form = PartnerForm(obj=partner)
    return _saved(
        form,
        lambda: plans.update_partner(
            current_user, partner, version=form.version.data, values=form.values()
        ),
        partner.plan,
        f"Edit partner {partner.name}",
        _l("Partner saved."),
    )


@bp.route("/<id:plan_id>/actions/new", methods=["GET", "POST"])
@login_required
def new_action(plan_id: int) -> ResponseReturnValue:  # Who: the plan's city's editors etc.
    plan = editable(Plan, plan_id)
    form = NewActionForm()
    form.set_choices(options.sectors(by="id"), options.themes())
    return _saved(
        form,
        lambda: plans.add_action(current_user, plan, form.values()),
        plan,
        "New action",
        _l("Action added."),
        redirect_to=lambda action: url_for("actions.detail", action_id=action.id),
    )
