"""Import (editors for their own city, leads and admins for any): upload, preview, apply."""

from __future__ import annotations

import secrets
from contextlib import nullcontext
from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, SubmitField
from wtforms.validators import DataRequired

from tracker.database import reading
from tracker.domain import permissions
from tracker.domain.errors import Invalid, PermissionDenied
from tracker.extensions import db
from tracker.forms import EmptyForm, attach_error, choices, commit_once, sent_key
from tracker.imports import bp
from tracker.models import ImportBatch
from tracker.services import imports as importing


class UploadForm(FlaskForm):
    kind = SelectField(
        _l("What the file holds"),
        choices=choices((k, k) for k in importing.IMPORT_KINDS),
        validators=[DataRequired()],
    )
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])
    submit = SubmitField(_l("Preview"))


@bp.route("", methods=["GET", "POST"])
@login_required
def index() -> (
    ResponseReturnValue
):  # Who: editors, leads, admins (rows outside an editor's city are refused).
    permissions.require_importer(current_user)
    form = UploadForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("imports/index.html", form=form, result=None, errors=None), status
    upload = form.file.data
    filename = upload.filename or ""
    with upload.stream:  # a large upload is spooled to a temporary file: close it here
        content = upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
    # The preview only reads: it holds no write lock, so other people's sign-ins and writes go
    # on while it runs. (Its transaction ends before the file is kept, below.)
    db.session.rollback()
    # (Actions and partners are still tried by writing them and rolling back.)
    preview = reading() if form.kind.data == "progress" else nullcontext()
    try:
        with preview:
            result = importing.import_table(
                current_user,
                form.kind.data,
                filename,
                content,
                today=date.today(),
                limits=importing.UploadLimits.from_config(current_app.config),
                write=False,
            )
    except Invalid as exc:
        db.session.rollback()
        attach_error(form, exc)
        return render_template("imports/index.html", form=form, result=None, errors=None), 400
    except importing.ImportRejected as exc:
        db.session.rollback()
        return render_template("imports/index.html", form=form, result=None, errors=exc.errors), 400
    # A preview changes nothing: end its reading transaction, keep the file for the confirmation.
    db.session.rollback()
    batch = ImportBatch(
        id=secrets.token_urlsafe(24),
        user_id=current_user.id,
        kind=form.kind.data,
        filename=filename,
        content=content,
    )
    db.session.add(batch)
    db.session.commit()
    return render_template(
        "imports/index.html",
        form=form,
        result=result,
        errors=None,
        batch=batch,
        confirm=EmptyForm(),
        review_required=current_app.config["REVIEW"] == "required",
    )


@bp.route("/<batch_id>/apply", methods=["GET", "POST"])
@login_required
def apply(batch_id: str) -> ResponseReturnValue:  # Who: the person who uploaded the file.
    if request.method == "GET":  # a reload of the page shown after an error
        return redirect(url_for("imports.index"))
    permissions.require_importer(current_user)
    first, key = sent_key()
    if first is not None:
        return first  # applied already: the batch is gone, the result is what it was
    batch = db.get_or_404(ImportBatch, batch_id)
    if batch.user_id != current_user.id:
        raise PermissionDenied(_("Only the person who uploaded this file can apply it."))
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("imports.index"))
    kind, filename, content = batch.kind, batch.filename, batch.content
    try:
        result = importing.apply_file(
            current_user,
            kind,
            filename,
            content,
            today=date.today(),
            limits=importing.UploadLimits.from_config(current_app.config),
            approve=request.form.get("approve") == "1",
        )
    except (Invalid, importing.ImportRejected) as exc:
        # Something changed since the preview; nothing is applied.
        db.session.rollback()
        errors = getattr(exc, "errors", None) or [importing.RowError(1, "file", str(exc))]
        return render_template(
            "imports/index.html", form=UploadForm(formdata=None), result=None, errors=errors
        ), 409
    db.session.delete(batch)
    if (first := commit_once(key, url_for("imports.index"))) is not None:
        return first
    flash(
        _(
            "Imported %(file)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
            file=filename,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        ),
        "info",
    )
    return redirect(url_for("imports.index"))
