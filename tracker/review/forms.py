"""The queue's filters (GET) and its decision form (POST)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from tracker.forms import choices, text_or_none
from tracker.models.review import REVIEW_KINDS
from tracker.queries import options
from tracker.queries.review import QueueFilter
from tracker.schemas.types import NOTE_MAX
from tracker.vocabulary import label


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    city = SelectField(_l("City"), validators=[Optional()])
    kind = SelectField(_l("Kind of report"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.city.choices = choices([("", _l("All cities")), *options.cities()])
        self.kind.choices = choices(
            [("", _l("All kinds")), *((k, label(f"review_{k}")) for k in REVIEW_KINDS)]
        )

    def selected(self) -> QueueFilter:
        return QueueFilter(city=self.city.data or None, kind=self.kind.data or None)


class DecideForm(FlaskForm):
    """Approve or return the reports ticked in the queue; a return says why."""

    review = SelectMultipleField(_l("Reports"), coerce=int)
    comment = TextAreaField(
        _l("Comment for the author (needed to return)"),
        validators=[Optional(), Length(max=NOTE_MAX)],
    )
    approve = SubmitField(_l("Approve"))
    send_back = SubmitField(_l("Return to the author"))

    def __init__(self, *args: Any, decidable: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.review.choices = [(i, str(i)) for i in decidable]

    def decision(self) -> str:
        return "returned" if self.send_back.data else "approved"

    def comment_text(self) -> str | None:
        return text_or_none(self.comment.data)
