"""Milestone pages. Reading: every signed-in user. Writing: for a programme milestone the
leads and admins; for a city's milestone also that city's editors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from tracker import pages
from tracker.domain import permissions, states
from tracker.extensions import db
from tracker.forms import submit
from tracker.milestones import bp, present
from tracker.milestones.forms import DoneForm, MilestoneFilterForm, MoveForm, ReopenForm
from tracker.models import Milestone
from tracker.paging import page_number
from tracker.queries import milestones as milestone_queries
from tracker.queries import review as review_queries
from tracker.services import milestones


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
    history = milestone_queries.history(milestone.id)
    state = states.milestone_state(
        milestone.due_on, milestone.completed_on, date.today(), current_app.config["DUE_SOON_DAYS"]
    )
    return render_template(
        "milestones/detail.html",
        milestone=milestone,
        state=state,
        can_edit=can_edit,
        history=history,
        reviews=review_queries.states_of(update_ids=[u.id for u in history]),
        done_form=done,
        move_form=move,
        reopen_form=reopen,
    ), status


@bp.route("")
@login_required
def index() -> ResponseReturnValue:  # Who: every signed-in user.
    # The filter form is made when there is a filter to check or a page to build (not for a
    # page served from the cache without filters).
    checked = None
    if request.args.keys() - {"format", "table"}:
        checked = MilestoneFilterForm(request.args)
        if not checked.validate():
            return render_template("milestones/index.html", form=checked, rows=None), 400
    today = date.today()

    number = page_number()

    def build(whole: bool) -> pages.Page:
        form = checked or MilestoneFilterForm(request.args)
        return present.index_page(
            form.selected(),
            today,
            current_app.config["DUE_SOON_DAYS"],
            number,
            whole=whole,
            drill=_drill_down,
            form=form,
        )

    return pages.serve("milestones/index.html", build)


def _drill_down(row: milestone_queries.SummaryRow) -> str:
    """Where a summary row leads: a programme milestone's own page, or the list narrowed to
    one step (the other filters kept)."""
    if row.milestone_id is not None:
        return url_for("milestones.detail", milestone_id=row.milestone_id)
    kept = {k: v for k, v in request.args.items() if k not in ("page", "step", "format", "table")}
    return url_for("milestones.index") + "?" + urlencode({**kept, "step": row.key})


@bp.route("/<id:milestone_id>")
@login_required
def detail(milestone_id: int) -> ResponseReturnValue:  # Who: every signed-in user.
    return _page(db.get_or_404(Milestone, milestone_id))


def _to_milestone(milestone_id: int) -> Callable[[Any], str]:
    return lambda _result: url_for("milestones.detail", milestone_id=milestone_id)


# The three reports a milestone takes: its form, its confirmation, and the page's form slot.
REPORTS: dict[str, tuple[type[DoneForm | MoveForm | ReopenForm], Any]] = {
    "done": (DoneForm, _l("Milestone marked done.")),
    "move": (MoveForm, _l("Due date moved.")),
    "reopen": (ReopenForm, _l("Milestone reopened.")),
}


def _report(milestone_id: int, kind: str) -> ResponseReturnValue:
    if request.method == "GET":  # a reload of the page shown after an error
        return redirect(url_for("milestones.detail", milestone_id=milestone_id))
    milestone = db.get_or_404(Milestone, milestone_id)
    permissions.require_milestone_editor(current_user, milestone)
    form_class, message = REPORTS[kind]
    form = form_class()
    done = submit(
        form,
        lambda: milestones.report(current_user, milestone, form.report(), today=date.today()),
        redirect_to=_to_milestone(milestone.id),
        message=message,
    )
    forms: dict[str, Any] = {kind: form}
    return done or _page(milestone, status=400, **forms)


@bp.route("/<id:milestone_id>/done", methods=["GET", "POST"])
@login_required
def mark_done(milestone_id: int) -> ResponseReturnValue:  # Who: see the module docstring.
    return _report(milestone_id, "done")


@bp.route("/<id:milestone_id>/move", methods=["GET", "POST"])
@login_required
def move(milestone_id: int) -> ResponseReturnValue:  # Who: see the module docstring.
    return _report(milestone_id, "move")


@bp.route("/<id:milestone_id>/reopen", methods=["GET", "POST"])
@login_required
def reopen(milestone_id: int) -> ResponseReturnValue:  # Who: see the module docstring.
    return _report(milestone_id, "reopen")
