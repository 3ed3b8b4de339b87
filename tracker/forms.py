"""Form pieces shared by the areas: CSRF buttons, the record-version field, URL and
choice validation, and putting a service's refusal next to the field it concerns."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import sqlalchemy as sa
import wtforms
from flask import current_app, flash, has_request_context, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response
from wtforms import Field, IntegerField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError
from wtforms.widgets import HiddenInput, TextInput

from tracker.domain import permissions
from tracker.domain.errors import DomainError, Invalid, Unprocessable
from tracker.extensions import db
from tracker.i18n import read_date, read_number, written_number
from tracker.models import Action, Indicator, OutgoingMail, Partner, Plan, Submission
from tracker.schemas.types import EvidenceUrl
from tracker.services import reminders, submissions


class EmptyForm(FlaskForm):
    """A CSRF-protected button."""

    submit = SubmitField(_l("Submit"))


def version_field() -> IntegerField:
    """The version of the record the form was opened on; a save based on an old one is
    refused (409) rather than overwriting what someone else saved meanwhile."""
    return IntegerField(widget=HiddenInput(), validators=[InputRequired()])


EVIDENCE_URL: TypeAdapter[str] = TypeAdapter(EvidenceUrl)


def http_url(_form: Any, field: Field) -> None:
    """The evidence link checked by the same type as the API's and the imports'."""
    if field.data and field.data.strip():
        try:
            EVIDENCE_URL.validate_python(field.data.strip())
        except PydanticValidationError:
            raise ValidationError(_("Give an http:// or https:// address.")) from None


class DateField(wtforms.DateField):
    """A date as ISO (what a date picker sends) or as the language writes it (26.11.2026)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata([read_date(v) if isinstance(v, str) else v for v in valuelist])


class NumberField(Field):
    """A number typed the way the page's language writes it: 55,5 and 1.234,5 in German, 55.5
    and 1,234.5 in English. A text field with the decimal keypad, never a browser's number
    field, which drops a comma it does not expect before the server sees it (55,5 became 555).
    `whole` takes integers only (a percent complete)."""

    widget = TextInput()

    def __init__(
        self, label: Any = None, validators: Any = None, *, whole: bool = False, **kwargs: Any
    ) -> None:
        render_kw = {"inputmode": "numeric" if whole else "decimal", "autocomplete": "off"}
        render_kw.update(kwargs.pop("render_kw", None) or {})
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.whole = whole

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else written_number(self.data, digits=6)

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = valuelist[0] if valuelist and isinstance(valuelist[0], str) else ""
        self.data = None
        if not text.strip():
            return
        try:
            value = read_number(text)
        except ValueError:
            raise ValueError(
                _(
                    "Write a number the way this page's language does, for example %(a)s or %(b)s.",
                    a=written_number(55.5),
                    b=written_number(1234.5),
                )
            ) from None
        if not self.whole:
            self.data = float(value)
        elif value == value.to_integral_value():
            self.data = int(value)
        else:
            raise ValueError(_("Give a whole number."))


def choices(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def optional_int(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)


def optional_code(value: Any) -> str | None:
    """A chosen code, or None for the "None" choice."""
    if value in (None, "", "None"):
        return None
    return str(value)


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Each refusal beside its field, or above the form when no field of it is named."""
    pairs = error.errors if isinstance(error, Unprocessable) else [(error.field, error.message)]
    aliases = getattr(form, "aliases", {})
    for name, message in pairs:
        field = getattr(form, aliases.get(name, name), None) if name else None
        if isinstance(field, Field):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def text_or_none(text: str | None) -> str | None:
    """What a text field holds, or None when it holds only white space."""
    return (text or "").strip() or None


def blank_to_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.strip() or None) if isinstance(v, str) else v for k, v in data.items()}


def submit(
    form: FlaskForm,
    call: Callable[[], Any],
    *,
    redirect_to: Callable[[Any], str],
    message: str | Callable[[Any], str],
) -> Response | None:
    """The one shape of every write view: validate, call the service, commit once, flash and
    redirect. Returns None when the form is to be shown again: invalid input, or a service
    refusal, which is put beside its field after the transaction is rolled back. `message`
    may be made from the stored result, to say back what was stored.

    A form sent again with the same one-time submission key (a double click, a resent page)
    stores nothing and leads to where the first one did."""
    first, key = sent_key()
    if first is not None:
        return first
    if not form.validate_on_submit():
        return None
    try:
        result = call()
    except Invalid as exc:
        db.session.rollback()
        attach_error(form, exc)
        return None
    location = redirect_to(result)
    if (first := commit_once(key, location)) is not None:
        return first
    flash(str(message(result) if callable(message) else message), "info")
    return redirect(location)


def commit_once(key: str | None, location: str) -> Response | None:
    """Commit the write together with its submission key. None when committed; the first
    answer when the same key, sent twice at once, was committed first by the other request."""
    if key is not None:
        submissions.remember(
            current_user, key, fingerprint=_form_fingerprint(), status=302, location=location
        )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        first = submissions.find(current_user, key) if key is not None else None
        if first is not None and first.fingerprint == _form_fingerprint():
            return _replay(first)
        raise
    return None


def sent_key() -> tuple[Response | None, str | None]:
    """The first answer, if this form was stored already under the one-time key it carries;
    and the key to store this one under: None when it carries no well-formed key, or one that
    another form of this person's has used."""
    key = request.form.get(submissions.FORM_FIELD)
    if not key or not current_user.is_authenticated:
        return None, None
    if not submissions.KEY_PATTERN.fullmatch(key):
        return None, None
    used = submissions.find(current_user, key)
    if used is None:
        return None, key
    if used.fingerprint != _form_fingerprint():
        return None, None
    return _replay(used), key


def _form_fingerprint() -> str:
    return submissions.fingerprint(request.method, request.path, b"")


def _replay(first: Submission) -> Response:
    """Lead to where the first form sent with this key led."""
    flash(_("This form was sent already; it was stored once, and this is its result."), "info")
    return redirect(first.location or "/")


def form_status(form: FlaskForm) -> int:
    """400 for a form sent back with errors, 200 for one being opened."""
    return 400 if form.is_submitted() else 200


def form_submission_key(action: str | None = None) -> str:
    """The key a form posting to `action` carries: when the page shows that very form again
    after an error (an attempt that stored nothing), the key it was sent with; else a new one."""
    if not has_request_context() or request.method != "POST" or action != request.path:
        return submissions.new_key()
    sent = request.form.get(submissions.FORM_FIELD, "")
    return sent if submissions.KEY_PATTERN.fullmatch(sent) else submissions.new_key()


Editable = TypeVar("Editable", Plan, Action, Partner, Indicator)


def editable(model: type[Editable], record_id: int) -> Editable:
    """The record, if the signed-in person may edit its city's data: 404 if there is none,
    403 (nothing changed) if they may not."""
    record = db.get_or_404(model, record_id)
    permissions.require_city_editor(current_user, permissions.city_of(record))
    return record


def saved_or_shown(
    form: FlaskForm,
    call: Callable[[], Any],
    *,
    redirect_to: Callable[[Any], str],
    message: str | Callable[[Any], str],
    template: str,
    **context: Any,
) -> ResponseReturnValue:
    """`submit`, or the form's page again with what was wrong (400, or 409 on a conflict)."""
    done = submit(form, call, redirect_to=redirect_to, message=message)
    return done or (render_template(template, form=form, **context), form_status(form))


def deliver_after(response: Response, ids: list[int]) -> None:
    """Deliver these recorded messages once the response has gone (when the server closes it),
    never while the person waits; what cannot go stays recorded for the next delivery run.
    With TRACKER_MAIL_DELIVERY=worker (production's default) nothing is done here: the mail
    worker delivers them, and no web process talks to the mail server."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["MAIL_DELIVERY"] == "worker":
        return

    def deliver() -> None:
        with app.app_context():
            try:
                rows = db.session.scalars(
                    sa.select(OutgoingMail).where(
                        OutgoingMail.id.in_(ids), OutgoingMail.sent_at.is_(None)
                    )
                ).all()
                reminders.deliver(list(rows))
            except Exception:  # after the answer there is nobody to tell but the log
                app.logger.exception("recorded messages could not be delivered")
            finally:
                db.session.remove()

    response.call_on_close(deliver)
