"""Mentorships. Reading: every signed-in user. Adding, editing, ending: leads and admins."""

from __future__ import annotations

from collections import Counter
from datetime import date

from flask import abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from tracker import charts
from tracker.extensions import db
from tracker.forms import choices, form_status, submit
from tracker.mentorships import bp
from tracker.mentorships.forms import EditMentorshipForm, MentorshipForm
from tracker.models import Mentorship, Programme
from tracker.services import mentorships, options, overview, permissions
from tracker.tables import Table, csv_of, csv_requested


def _sector_choices() -> list[SelectChoice]:
    return choices([(None, "None"), *options.sectors(by="id")])


def _programme() -> Programme:
    programme = overview.current_programme()
    if programme is None:
        abort(404)
    return programme


def _to_index(_result: object) -> str:
    return url_for("mentorships.index")


@bp.route("", methods=["GET", "POST"])
@login_required
def index() -> (
    ResponseReturnValue
):  # Who: every signed-in user reads; POST (add a pair): leads and admins.
    if request.method == "POST":
        permissions.require_programme_editor(current_user)
    programme = _programme()
    form = None
    if permissions.is_programme_editor(current_user):
        form = MentorshipForm()
        options = mentorships.participation_choices(programme)
        form.mentor.choices = choices(options["mentor"])
        form.mentee.choices = choices(options["mentee"])
        form.sector_id.choices = _sector_choices()
        done = submit(
            form,
            lambda: mentorships.create_mentorship(
                current_user,
                programme,
                mentor=form.mentor.data,
                mentee=form.mentee.data,
                since_on=form.since_on.data,
                focus=form.focus.data or None,
                sector_id=form.sector_id.data,
            ),
            redirect_to=_to_index,
            message="Mentorship added.",
        )
        if done:
            return done
    today = date.today()
    pairs = mentorships.pairs(programme, today, current_app.config["STALE_AFTER_DAYS"])
    active = [p for p in pairs if p.ended_on is None]
    load = Counter(p.mentor_name for p in active)
    mentors = {
        p.mentor_slug: charts.Node(p.mentor_slug, p.mentor_name, "mentor", None) for p in active
    }
    mentees = {
        p.mentee_slug: charts.Node(p.mentee_slug, p.mentee_name, "mentee", p.mentee_progress)
        for p in active
    }
    # Mentees in the order of their mentors, so the lines of a pair do not cross the others.
    mentor_order = sorted(mentors.values(), key=lambda n: n.label)
    rank = {n.key: i for i, n in enumerate(mentor_order)}
    first_mentor: dict[str, int] = {}
    for p in sorted(active, key=lambda p: rank[p.mentor_slug]):
        first_mentor.setdefault(p.mentee_slug, rank[p.mentor_slug])
    figure = charts.mentorship_network(
        mentor_order,
        sorted(mentees.values(), key=lambda n: (first_mentor[n.key], n.label)),
        [(p.mentor_slug, p.mentee_slug) for p in active],
    )
    table = Table(
        "mentorships",
        "Mentor-mentee pairs",
        [
            "mentor",
            "mentee",
            "since",
            "ended",
            "sector",
            "focus",
            "mentee progress",
            "stale actions",
            "late milestones",
            "demo",
        ],
        [
            [
                p.mentor_name,
                p.mentee_name,
                p.since_on,
                p.ended_on,
                p.sector,
                p.focus,
                round(p.mentee_progress, 1) if p.mentee_progress is not None else None,
                p.mentee_stale,
                p.mentee_late,
                "demo" if p.is_demo else "",
            ]
            for p in pairs
        ],
    )
    load_table = Table(
        "mentor-load", "Mentees per mentor", ["mentor", "active mentees"], sorted(load.items())
    )
    if csv_requested():
        return csv_of([table, load_table])
    return render_template(
        "mentorships/index.html",
        pairs=pairs,
        load=load_table,
        table=table,
        figure=figure.to_json(),
        form=form,
        can_edit=form is not None,
    ), (form_status(form) if form else 200)


@bp.route("/<id:mentorship_id>/edit", methods=["GET", "POST"])
@login_required
def edit(mentorship_id: int) -> ResponseReturnValue:  # Who: leads and admins.
    permissions.require_programme_editor(current_user)
    pair = db.get_or_404(Mentorship, mentorship_id)
    form = EditMentorshipForm(obj=pair)
    form.sector_id.choices = _sector_choices()
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
        message="Mentorship saved.",
    )
    return done or (
        render_template("mentorships/edit.html", pair=pair, form=form),
        form_status(form),
    )
