"""Milestone pages. Reading: every signed-in user. Writing: for a programme milestone the
leads and admins; for a city's milestone also that city's editors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from tracker import charts
from tracker.extensions import db
from tracker.forms import choices, submit
from tracker.milestones import bp
from tracker.milestones.forms import DoneForm, MilestoneFilterForm, MoveForm, ReopenForm
from tracker.models import Milestone
from tracker.services import milestones, options, permissions
from tracker.tables import Table, csv_of, csv_requested


def _page(
    milestone: Milestone,
    done: DoneForm | None = None,
    move: MoveForm | None = None,
    reopen: ReopenForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    can_edit = permissions.can_edit_milestone(current_user, milestone)
    if can_edit:
        done = done or DoneForm(completed_on=date.today(), version=milestone.version)
        move = move or MoveForm(due_on=milestone.due_on, version=milestone.version)
        reopen = reopen or ReopenForm(formdata=None, version=milestone.version)
    state = milestones.milestone_state(
        milestone.due_on, milestone.completed_on, date.today(), current_app.config["DUE_SOON_DAYS"]
    )
    return render_template(
        "milestones/detail.html",
        milestone=milestone,
        state=state,
        can_edit=can_edit,
        history=milestones.history(milestone.id),
        done_form=done,
        move_form=move,
        reopen_form=reopen,
    ), status


def filter_choices(form: MilestoneFilterForm) -> None:
    form.city.choices = choices([("", "All cities"), *options.cities()])
    form.country.choices = choices([("", "All countries"), *options.countries()])
    form.sector.choices = choices([("", "All sectors"), *options.sectors()])
    form.state.choices = choices(
        [("", "All states"), *((s, s.replace("_", " ")) for s in milestones.MILESTONE_STATES)]
    )


@bp.route("")
@login_required
def index() -> ResponseReturnValue:  # Who: every signed-in user.
    form = MilestoneFilterForm(request.args)
    filter_choices(form)
    if request.args.keys() - {"format", "table"} and not form.validate():
        return render_template("milestones/index.html", form=form, rows=None), 400
    today = date.today()
    rows, total = milestones.listing(
        milestones.MilestoneFilter(
            city=form.city.data or None,
            country=form.country.data or None,
            sector=form.sector.data or None,
            state=form.state.data or None,
        ),
        today,
        current_app.config["DUE_SOON_DAYS"],
    )
    table = Table(
        "milestones",
        "Milestones",
        ["milestone", "owner", "first planned", "due", "done", "state", "moves", "demo"],
        [
            [
                r.milestone.title,
                r.city_name or "programme",
                r.milestone.planned_on,
                r.milestone.due_on,
                r.milestone.completed_on,
                r.state.replace("_", " "),
                r.moves,
                "demo" if r.milestone.is_demo else "",
            ]
            for r in rows
        ],
    )
    if csv_requested():
        return csv_of([table])
    gantt = charts.milestone_gantt(
        [
            charts.GanttRow(
                f"{r.city_name or 'Programme'}: {r.milestone.title}"[:80],
                min(r.milestone.planned_on, r.milestone.due_on),
                max(r.milestone.due_on, r.milestone.ends_on or r.milestone.due_on),
                r.state,
            )
            for r in rows
        ],
        today,
    )
    return render_template(
        "milestones/index.html",
        form=form,
        rows=rows,
        total=total,
        table=table,
        figure=gantt.to_json(),
    )


@bp.route("/<id:milestone_id>")
@login_required
def detail(milestone_id: int) -> ResponseReturnValue:  # Who: every signed-in user.
    return _page(db.get_or_404(Milestone, milestone_id))


def _to_milestone(milestone_id: int) -> Callable[[Any], str]:
    return lambda _result: url_for("milestones.detail", milestone_id=milestone_id)


@bp.route("/<id:milestone_id>/done", methods=["GET", "POST"])
@login_required
def mark_done(milestone_id: int) -> ResponseReturnValue:  # Who: see the module docstring.
    if request.method == "GET":  # a reload of the page shown after an error
        return redirect(url_for("milestones.detail", milestone_id=milestone_id))
    milestone = db.get_or_404(Milestone, milestone_id)
    permissions.require_milestone_editor(current_user, milestone)
    form = DoneForm()
    done = submit(
        form,
        lambda: milestones.report(current_user, milestone, form.report(), today=date.today()),
        redirect_to=_to_milestone(milestone.id),
        message="Milestone marked done.",
    )
    return done or _page(milestone, done=form, status=400)


@bp.route("/<id:milestone_id>/move", methods=["GET", "POST"])
@login_required
def move(milestone_id: int) -> ResponseReturnValue:  # Who: see the module docstring.
    if request.method == "GET":  # a reload of the page shown after an error
        return redirect(url_for("milestones.detail", milestone_id=milestone_id))
    milestone = db.get_or_404(Milestone, milestone_id)
    permissions.require_milestone_editor(current_user, milestone)
    form = MoveForm()
    done = submit(
        form,
        lambda: milestones.report(current_user, milestone, form.report(), today=date.today()),
        redirect_to=_to_milestone(milestone.id),
        message="Due date moved.",
    )
    return done or _page(milestone, move=form, status=400)


@bp.route("/<id:milestone_id>/reopen", methods=["GET", "POST"])
@login_required
def reopen(milestone_id: int) -> ResponseReturnValue:  # Who: see the module docstring.
    if request.method == "GET":  # a reload of the page shown after an error
        return redirect(url_for("milestones.detail", milestone_id=milestone_id))
    milestone = db.get_or_404(Milestone, milestone_id)
    permissions.require_milestone_editor(current_user, milestone)
    form = ReopenForm()
    done = submit(
        form,
        lambda: milestones.report(current_user, milestone, form.report(), today=date.today()),
        redirect_to=_to_milestone(milestone.id),
        message="Milestone reopened.",
    )
    return done or _page(milestone, reopen=form, status=400)
