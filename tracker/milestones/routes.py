"""Milestone pages. Reading: every signed-in user. Writing: for a programme milestone the
leads and admins; for a city's milestone also that city's editors."""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template, url_for
from flask_login import current_user, login_required

from tracker.extensions import db
from tracker.forms import submit
from tracker.milestones import bp
from tracker.milestones.forms import DoneForm, MoveForm
from tracker.models import Milestone
from tracker.services import milestones, permissions


def _page(
    milestone: Milestone,
    done: DoneForm | None = None,
    move: MoveForm | None = None,
    status: int = 200,
):  # type: ignore[no-untyped-def]
    can_edit = permissions.can_edit_milestone(current_user, milestone)
    if can_edit:
        done = done or DoneForm(completed_on=date.today(), version=milestone.version)
        move = move or MoveForm(due_on=milestone.due_on, version=milestone.version)
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
    ), status


@bp.route("/<int:milestone_id>")
@login_required
def detail(milestone_id: int):  # Who: every signed-in user.
    return _page(db.get_or_404(Milestone, milestone_id))


def _to_milestone(milestone_id: int):  # type: ignore[no-untyped-def]
    return lambda _result: url_for("milestones.detail", milestone_id=milestone_id)


@bp.route("/<int:milestone_id>/done", methods=["POST"])
@login_required
def mark_done(milestone_id: int):  # Who: see the module docstring.
    milestone = db.get_or_404(Milestone, milestone_id)
    permissions.require_milestone_editor(current_user, milestone)
    form = DoneForm()
    done = submit(
        form,
        lambda: milestones.mark_done(
            current_user,
            milestone,
            version=form.version.data,
            completed_on=form.completed_on.data,
            evidence_url=form.evidence_url.data,
            note=form.note.data,
            today=date.today(),
        ),
        redirect_to=_to_milestone(milestone.id),
        message="Milestone marked done.",
    )
    return done or _page(milestone, done=form, status=400)


@bp.route("/<int:milestone_id>/move", methods=["POST"])
@login_required
def move(milestone_id: int):  # Who: see the module docstring.
    milestone = db.get_or_404(Milestone, milestone_id)
    permissions.require_milestone_editor(current_user, milestone)
    form = MoveForm()
    done = submit(
        form,
        lambda: milestones.move_due_date(
            current_user,
            milestone,
            version=form.version.data,
            due_on=form.due_on.data,
            reason=form.reason.data,
            today=date.today(),
        ),
        redirect_to=_to_milestone(milestone.id),
        message="Due date moved.",
    )
    return done or _page(milestone, move=form, status=400)
