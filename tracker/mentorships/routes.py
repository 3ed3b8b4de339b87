"""Mentorships. Reading: every signed-in user. Adding, editing, ending: leads and admins."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from tracker import pages
from tracker.domain import permissions
from tracker.extensions import db
from tracker.forms import form_status, submit
from tracker.mentorships import bp, present
from tracker.mentorships.forms import EditMentorshipForm, MentorshipForm
from tracker.models import Mentorship, Programme
from tracker.paging import PAGE_SIZE, page_number
from tracker.queries import mentees, overview
from tracker.services import mentorships


def _programme_id() -> int:
    programme_id = overview.current_programme_id()
    if programme_id is None:
        abort(404)
    return programme_id


def _to_index(_result: object) -> str:
    return url_for("mentorships.index")


@bp.route("", methods=["GET", "POST"])
@login_required
def index() -> (
    ResponseReturnValue
):  # Who: every signed-in user reads; POST (add a pair): leads and admins.
    if request.method == "POST":
        return _add()
    programme_id = _programme_id()
    can_edit = permissions.is_programme_editor(current_user)
    number = page_number()

    today, stale = date.today(), current_app.config["STALE_AFTER_DAYS"]
    threshold = current_app.config["HELP_THRESHOLD"]

    def build(whole: bool) -> pages.Page:
        programme = db.get_or_404(Programme, programme_id)
        window = None if whole else ((number - 1) * PAGE_SIZE, PAGE_SIZE)
        board = mentees.board(programme, today, stale, threshold, window)
        return present.index_page(
            board, threshold, number, whole=whole, stale_days=stale, can_edit=can_edit
        )

    return pages.serve("mentorships/index.html", build, vary=[can_edit])


@bp.route("/new")
@login_required
def new() -> ResponseReturnValue:  # Who: leads and admins.
    permissions.require_programme_editor(current_user)
    form = MentorshipForm(programme_id=_programme_id())
    return render_template("mentorships/new.html", form=form)


def _add() -> ResponseReturnValue:  # Who: leads and admins (POST /mentorships).
    permissions.require_programme_editor(current_user)
    programme_id = _programme_id()
    form = MentorshipForm(programme_id=programme_id)
    done = submit(
        form,
        lambda: mentorships.create_mentorship(
            current_user,
            db.get_or_404(Programme, programme_id),
            mentor=form.mentor.data,
            mentee=form.mentee.data,
            since_on=form.since_on.data,
            focus=form.focus.data or None,
            sector_id=form.sector_id.data,
        ),
        redirect_to=_to_index,
        message=_l("Mentorship added."),
    )
    if done:
        return done
    return render_template("mentorships/new.html", form=form), form_status(form)


@bp.route("/<id:mentorship_id>/edit", methods=["GET", "POST"])
@login_required
def edit(mentorship_id: int) -> ResponseReturnValue:  # Who: leads and admins.
    permissions.require_programme_editor(current_user)
    pair = db.get_or_404(Mentorship, mentorship_id)
    form = EditMentorshipForm(obj=pair)
    done = submit(
        form,
        lambda: mentorships.update_mentorship(
            current_user,
            pair,
            version=form.version.data,
            values={
                "since_on": form.since_on.data,
                "ended_on": form.ended_on.data,
                "sector_id": form.sector_id.data,
                "focus": form.focus.data or None,
            },
        ),
        redirect_to=_to_index,
        message=_l("Mentorship saved."),
    )
    return done or (
        render_template("mentorships/edit.html", pair=pair, form=form),
        form_status(form),
    )
