"""Plan and partner forms."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker.forms import DateField, blank_to_none, choices, version_field
from tracker.models.plan import LGD_STATUSES, PARTNER_KINDS
from tracker.vocabulary import CODE_LABELS

TEXT = [Optional(), Length(max=10000)]


class PlanForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    status = SelectField(
        _l("Deal status"),
        choices=choices([("", _l("None"))] + [(s, CODE_LABELS[s]) for s in LGD_STATUSES]),
        validators=[Optional()],
    )
    started_on = DateField(_l("Work began on"), validators=[Optional()])
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    summary = TextAreaField(_l("Summary"), validators=TEXT)
    governance = TextAreaField(_l("Governance"), validators=TEXT)
    actions_summary = TextAreaField(_l("Actions"), validators=TEXT)
    integrated_goals = TextAreaField(_l("Integrated goals"), validators=TEXT)
    partnerships = TextAreaField(_l("Partnerships"), validators=TEXT)
    version = version_field()
    submit = SubmitField(_l("Save"))

    def values(self) -> dict[str, Any]:
        return blank_to_none(
            {
                name: getattr(self, name).data
                for name in (
                    "title",
                    "status",
                    "started_on",
                    "signed_on",
                    "summary",
                    "governance",
                    "actions_summary",
                    "integrated_goals",
                    "partnerships",
                )
            }
        )


class NewPlanForm(PlanForm):
    version = None


class PartnerForm(FlaskForm):
    name = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(
        _l("Type"),
        choices=choices([(k, CODE_LABELS[k]) for k in PARTNER_KINDS]),
        validators=[DataRequired()],
    )
    commitment = TextAreaField(_l("Commitment"), validators=[Optional(), Length(max=5000)])
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    version = version_field()
    submit = SubmitField(_l("Save"))

    def values(self) -> dict[str, Any]:
        return blank_to_none(
            {name: getattr(self, name).data for name in ("name", "kind", "commitment", "signed_on")}
        )


class NewPartnerForm(PartnerForm):
    version = None
