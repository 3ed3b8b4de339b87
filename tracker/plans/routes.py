"""Plan pages. Reading: every signed-in user. Writing: the plan's city's editors, leads, admins."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.actions.forms import STATUS_LABELS, NewActionForm
from tracker.extensions import db
from tracker.forms import attach_error
from tracker.models import City, Partner, Plan, Sector, Theme
from tracker.plans import bp
from tracker.plans.forms import NewPartnerForm, NewPlanForm, PartnerForm, PlanForm
from tracker.services import overview, permissions, plans
from tracker.services.errors import Invalid
from tracker.services.milestones import milestone_state


def _respond(form, template: str, success_url: str | None, **context):  # type: ignore[no-untyped-def]
    """Commit and redirect after a successful service call, or re-render with 400."""
    if success_url is not None:
        db.session.commit()
        flash("Saved.", "info")
        return redirect(success_url)
    status = 400 if form.is_submitted() else 200
    return render_template(template, form=form, **context), status


@bp.route("/<int:plan_id>")
@login_required
def detail(plan_id: int):  # Who: every signed-in user.
    plan = db.get_or_404(Plan, plan_id)
    today = date.today()
    states = {
        m.id: milestone_state(m.due_on, m.completed_on, today, current_app.config["DUE_SOON_DAYS"])
        for m in plan.milestones
    }
    return render_template(
        "plans/detail.html",
        plan=plan,
        states=states,
        labels=STATUS_LABELS,
        can_edit=permissions.can_edit_city(current_user, plan.city_id),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():  # Who: the city's editors, leads, admins. Makes the city's Local Green Deal.
    city = db.session.scalar(sa.select(City).where(City.slug == request.args.get("city", "")))
    programme = overview.current_programme()
    if city is None or programme is None:
        abort(404)
    permissions.require_city_editor(current_user, city.id)
    form = NewPlanForm(title=f"Local Green Deal of {city.name}")
    success = None
    if form.validate_on_submit():
        try:
            plan = plans.create_local_green_deal(current_user, city, programme, form.values())
            success = url_for("plans.detail", plan_id=plan.id)
        except Invalid as exc:
            db.session.rollback()
            attach_error(form, exc)
    return _respond(form, "plans/form.html", success, city=city, heading="New Local Green Deal")


@bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
def edit(plan_id: int):  # Who: the plan's city's editors, leads, admins.
    plan = db.get_or_404(Plan, plan_id)
    permissions.require_city_editor(current_user, plan.city_id)
    form = PlanForm(obj=plan)
    success = None
    if form.validate_on_submit():
        try:
            plans.update_plan(current_user, plan, version=form.version.data, values=form.values())
            success = url_for("plans.detail", plan_id=plan.id)
        except Invalid as exc:
            db.session.rollback()
            attach_error(form, exc)
    return _respond(
        form, "plans/form.html", success, city=plan.city, plan=plan, heading=f"Edit {plan.title}"
    )


@bp.route("/<int:plan_id>/partners/new", methods=["GET", "POST"])
@login_required
def new_partner(plan_id: int):  # Who: the plan's city's editors, leads, admins.
    plan = db.get_or_404(Plan, plan_id)
    permissions.require_city_editor(current_user, plan.city_id)
    form = NewPartnerForm()
    success = None
    if form.validate_on_submit():
        try:
            plans.add_partner(current_user, plan, form.values())
            success = url_for("plans.detail", plan_id=plan.id)
        except Invalid as exc:
            db.session.rollback()
            attach_error(form, exc)
    return _respond(
        form, "plans/form.html", success, city=plan.city, plan=plan, heading="New partner"
    )


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@login_required
def edit_partner(partner_id: int):  # Who: the partner's city's editors, leads, admins.
    partner = db.get_or_404(Partner, partner_id)
    plan = partner.plan
    permissions.require_city_editor(current_user, plan.city_id)
    form = PartnerForm(obj=partner)
    success = None
    if form.validate_on_submit():
        try:
            plans.update_partner(
                current_user, partner, version=form.version.data, values=form.values()
            )
            success = url_for("plans.detail", plan_id=plan.id)
        except Invalid as exc:
            db.session.rollback()
            attach_error(form, exc)
    return _respond(
        form,
        "plans/form.html",
        success,
        city=plan.city,
        plan=plan,
        heading=f"Edit partner {partner.name}",
    )


@bp.route("/<int:plan_id>/actions/new", methods=["GET", "POST"])
@login_required
def new_action(plan_id: int):  # Who: the plan's city's editors, leads, admins.
    plan = db.get_or_404(Plan, plan_id)
    permissions.require_city_editor(current_user, plan.city_id)
    form = NewActionForm()
    form.set_choices(
        db.session.scalars(sa.select(Sector).order_by(Sector.name)),
        db.session.scalars(sa.select(Theme).order_by(Theme.name)),
    )
    success = None
    if form.validate_on_submit():
        try:
            action = plans.add_action(current_user, plan, form.values())
            success = url_for("actions.detail", action_id=action.id)
        except Invalid as exc:
            db.session.rollback()
            attach_error(form, exc)
    return _respond(
        form, "plans/form.html", success, city=plan.city, plan=plan, heading="New action"
    )
