"""Mentorships: the network, each mentor's load and mentees' open problems, and the rules for
adding, editing and ending a pair."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.domain import permissions
from tracker.domain.errors import Invalid
from tracker.extensions import db
from tracker.i18n import written_date
from tracker.models import (
    City,
    Mentorship,
    Participation,
    Programme,
    User,
)
from tracker.services.audit import record_event, update_versioned


def _participation(programme: Programme, slug: str, field: str) -> Participation:
    found = db.session.scalar(
        sa.select(Participation)
        .join(Participation.city)
        .where(Participation.programme_id == programme.id, City.slug == slug)
    )
    if found is None:
        raise Invalid(
            _("%(slug)s takes no part in %(name)s.", slug=repr(slug), name=programme.name),
            field=field,
        )
    return found


def create_mentorship(
    actor: User,
    programme: Programme,
    *,
    mentor: str,
    mentee: str,
    since_on: date,
    focus: str | None,
    sector_id: int | None,
) -> Mentorship:
    permissions.require_programme_editor(actor)
    if mentor == mentee:
        raise Invalid(_("A city cannot mentor itself."), field="mentee")
    mentor_p = _participation(programme, mentor, "mentor")
    mentee_p = _participation(programme, mentee, "mentee")
    if mentor_p.role != "mentor":
        raise Invalid(
            _("%(name)s is not a mentor city in this programme.", name=mentor_p.city.name),
            field="mentor",
        )
    exists = db.session.scalar(
        sa.select(Mentorship.id).where(
            Mentorship.mentor_id == mentor_p.id, Mentorship.mentee_id == mentee_p.id
        )
    )
    if exists:
        raise Invalid(
            _(
                "%(name)s mentors %(name2)s already.",
                name=mentor_p.city.name,
                name2=mentee_p.city.name,
            ),
            field="mentee",
        )
    if since_on < mentee_p.joined_on:
        raise Invalid(
            _(
                "%(name)s joined on %(date)s; the mentorship cannot start before.",
                name=mentee_p.city.name,
                date=written_date(mentee_p.joined_on),
            ),
            field="since_on",
        )
    pair = Mentorship(
        programme_id=programme.id,
        mentor_id=mentor_p.id,
        mentee_id=mentee_p.id,
        since_on=since_on,
        focus=focus,
        sector_id=sector_id,
    )
    db.session.add(pair)
    db.session.flush()
    record_event(
        actor,
        "mentorship.create",
        "mentorship",
        pair.id,
        before={},
        after={
            "mentor": mentor,
            "mentee": mentee,
            "since_on": since_on,
            "focus": focus,
            "sector_id": sector_id,
        },
    )
    return pair


def update_mentorship(
    actor: User, pair: Mentorship, *, version: int | None, values: dict[str, Any]
) -> None:
    permissions.require_programme_editor(actor)
    since_on, ended_on = values.get("since_on"), values.get("ended_on")
    if ended_on and since_on and ended_on < since_on:
        raise Invalid(_("A mentorship cannot end before it began."), field="ended_on")
    update_versioned(
        actor,
        pair,
        version=version,
        changes=values,
        verb="mentorship.update",
        entity_type="mentorship",
        city_id=pair.mentee.city_id,
    )
