"""Accounts: admins only. Audit log: leads and admins."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from tracker import mail
from tracker.admin import bp
from tracker.admin.forms import (
    AuditFilterForm,
    NewUserForm,
    PasswordResetForm,
    ReviewGrantForm,
    TokenForm,
    UserForm,
)
from tracker.domain import permissions
from tracker.domain.errors import Invalid
from tracker.extensions import db
from tracker.forms import (
    EmptyForm,
    attach_error,
    choices,
    commit_once,
    form_status,
    sent_key,
    submit,
)
from tracker.i18n import language
from tracker.models import ApiToken, User
from tracker.queries import options
from tracker.queries.audit import AuditFilter, audit_query
from tracker.services import account_links, accounts, tokens

AUDIT_PAGE_SIZE = 50


def _city_choices() -> list[SelectChoice]:
    return choices([("", _l("None")), *options.cities()])


def _to_users(_result: object) -> str:
    return url_for("admin.users")


def _user_form(user: User, **kwargs: object) -> UserForm:
    form = UserForm(obj=user, **kwargs)
    form.city.choices = _city_choices()
    if not form.is_submitted() or kwargs.get("formdata", ...) is None:
        # The account's city by its slug, as the choices name it (`obj` would give the record).
        form.city.data = user.city.slug if user.city else ""
    return form


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users() -> ResponseReturnValue:  # Who: admins.
    permissions.require_admin(current_user)
    form = NewUserForm()
    form.city.choices = _city_choices()
    if not form.is_submitted():
        form.language.data = language()  # the admin's own, unless they choose another
    invited = not form.password.data

    def create() -> User:
        user = accounts.create_user(
            current_user,
            email=form.email.data,
            password=form.password.data or None,
            role=form.role.data,
            city_slug=form.city.data or None,
            name=form.name.data or None,
            language=form.language.data or language(),
        )
        if invited:
            _invite(user)
        return user

    done = submit(
        form,
        create,
        redirect_to=_to_users,
        message=_l("Account created; an invitation to choose a password is on its way.")
        if invited
        else _l("Account created."),
    )
    if done:
        return done
    listing = db.session.scalars(sa.select(User).order_by(User.email)).all()
    pending = account_links.pending_invitations([u.id for u in listing])
    return render_template(
        "admin/users.html", users=listing, form=form, pending=pending, resend=EmptyForm()
    ), form_status(form)


def _invite(user: User) -> None:
    """Send the invitation; a mail server that refuses it is a form error (nothing kept)."""
    try:
        account_links.invite(current_user, user)
    except mail.MailError as failure:
        raise Invalid(
            _("The invitation could not be sent (%(reason)s); nothing was saved.", reason=failure),
            field="email",
        ) from failure


@bp.route("/users/<id:user_id>/invite", methods=["POST"])
@login_required
def resend_invitation(user_id: int) -> ResponseReturnValue:  # Who: admins.
    permissions.require_admin(current_user)
    user = db.get_or_404(User, user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        _invite(user)
    except Invalid as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(url_for("admin.users"))
    db.session.commit()
    flash(
        _(
            "A new invitation is on its way to %(email)s; the earlier link no longer works.",
            email=user.email,
        ),
        "info",
    )
    return redirect(url_for("admin.users"))


@bp.route("/users/<id:user_id>/edit", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int) -> ResponseReturnValue:  # Who: admins.
    permissions.require_admin(current_user)
    user = db.get_or_404(User, user_id)
    form = _user_form(user)
    done = submit(
        form,
        lambda: accounts.update_user(
            current_user,
            user,
            version=form.version.data,
            role=form.role.data,
            city_slug=form.city.data or None,
            is_active=form.is_active.data,
            name=form.name.data,
        ),
        redirect_to=_to_users,
        message=_l("Account %(email)s saved.", email=user.email),
    )
    reset = PasswordResetForm(formdata=None)
    return done or (_user_page(user, form, reset), form_status(form))


@bp.route("/users/<id:user_id>/password", methods=["GET", "POST"])
@login_required
def reset_password(user_id: int) -> ResponseReturnValue:  # Who: admins.
    if request.method == "GET":  # a reload of the page shown after an error
        return redirect(url_for("admin.edit_user", user_id=user_id))
    permissions.require_admin(current_user)
    user = db.get_or_404(User, user_id)
    reset = PasswordResetForm()
    done = submit(
        reset,
        lambda: accounts.reset_password(current_user, user, reset.password.data),
        redirect_to=_to_users,
        message=_l("Password of %(email)s set; their sessions were signed out.", email=user.email),
    )
    form = _user_form(user, formdata=None)
    return done or (_user_page(user, form, reset), 400)


def _user_page(user: User, form: UserForm, reset: PasswordResetForm, **extra: object) -> str:
    return render_template(
        "admin/user.html",
        user=user,
        form=form,
        reset=reset,
        tokens=tokens.tokens_of(user),
        describe=tokens.describe,
        token_form=extra.pop("token_form", None) or TokenForm(formdata=None),
        review_form=extra.pop("review_form", None) or _review_form(formdata=None),
        **extra,
    )


def _review_form(**kwargs: object) -> ReviewGrantForm:
    form = ReviewGrantForm(**kwargs)
    form.city.choices = choices([("", _l("Choose a city")), *options.cities()])
    return form


@bp.route("/users/<id:user_id>/review", methods=["GET", "POST"])
@bp.route("/users/<id:user_id>/review/<slug>/revoke", methods=["GET", "POST"])
@login_required
def review_grant(user_id: int, slug: str | None = None) -> ResponseReturnValue:  # Who: admins.
    """Grant an account the review permission for a city, or (with the city in the address)
    take it back."""
    if request.method == "GET":  # a reload of the page shown after an error
        return redirect(url_for("admin.edit_user", user_id=user_id, _anchor="review"))
    permissions.require_admin(current_user)
    user = db.get_or_404(User, user_id)
    form = _review_form() if slug is None else EmptyForm()
    done = submit(
        form,
        lambda: accounts.grant_review(
            current_user, user, slug or form.city.data, revoke=slug is not None
        ),
        redirect_to=lambda _r: url_for("admin.edit_user", user_id=user.id, _anchor="review"),
        message=_l("Review permission of %(email)s saved.", email=user.email),
    )
    extra = {"review_form": form} if slug is None else {}
    errors = form.form_errors if slug is not None else []
    return done or (
        _user_page(
            user,
            _user_form(user, formdata=None),
            PasswordResetForm(formdata=None),
            review_errors=errors,
            **extra,
        ),
        400,
    )


@bp.route("/users/<id:user_id>/tokens", methods=["GET", "POST"])
@login_required
def issue_token(user_id: int) -> ResponseReturnValue:  # Who: admins.
    if request.method == "GET":  # a reload of the page shown after an error (or the token)
        return redirect(url_for("admin.edit_user", user_id=user_id, _anchor="tokens"))
    permissions.require_admin(current_user)
    user = db.get_or_404(User, user_id)
    token_form = TokenForm()
    new_token = None
    first, key = sent_key()
    if first is not None:
        return first  # issued already, and shown once then: a token is never shown twice
    if token_form.validate_on_submit():
        try:
            new_token = tokens.issue_token(current_user, user, token_form.name.data)
        except Invalid as exc:
            db.session.rollback()
            attach_error(token_form, exc)
        else:
            location = url_for("admin.edit_user", user_id=user.id, _anchor="tokens")
            if (first := commit_once(key, location)) is not None:
                return first
    # The token is shown in this answer only: never redirected, flashed or stored in clear.
    page = _user_page(
        user,
        _user_form(user, formdata=None),
        PasswordResetForm(formdata=None),
        token_form=token_form,
        new_token=new_token,
    )
    return page, (200 if new_token else 400)


@bp.route("/tokens/<id:token_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke_token(token_id: int) -> ResponseReturnValue:  # Who: admins.
    permissions.require_admin(current_user)
    token = db.get_or_404(ApiToken, token_id)
    if request.method == "GET":  # a reload of the page shown after an error
        return redirect(url_for("admin.edit_user", user_id=token.user_id, _anchor="tokens"))
    done = submit(
        EmptyForm(),
        lambda: tokens.revoke_token(current_user, token),
        redirect_to=lambda _r: url_for("admin.edit_user", user_id=token.user_id),
        message=_l("Token revoked."),
    )
    return done or (
        _user_page(
            token.user, _user_form(token.user, formdata=None), PasswordResetForm(formdata=None)
        ),
        400,
    )


@bp.route("/audit")
@login_required
def audit() -> ResponseReturnValue:  # Who: leads and admins.
    permissions.require_audit_reader(current_user)
    form = AuditFilterForm(request.args)
    form.city.choices = _city_choices()
    if request.args and not form.validate():
        return render_template("admin/audit.html", form=form, page=None), 400
    query = audit_query(
        AuditFilter(
            city=form.city.data or None,
            user=form.user.data or None,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        )
    )
    page = db.paginate(query, per_page=AUDIT_PAGE_SIZE, error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("admin/audit.html", form=form, page=page, args=args)
