"""Accounts: admins only. Audit log: leads and admins."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from tracker.admin import bp
from tracker.admin.forms import AuditFilterForm, NewUserForm, PasswordResetForm, UserForm
from tracker.extensions import db
from tracker.forms import choices, form_status, submit
from tracker.models import User
from tracker.services import accounts, options, permissions
from tracker.services.audit import AuditFilter, audit_query

AUDIT_PAGE_SIZE = 50


def _city_choices() -> list[SelectChoice]:
    return choices([("", "None"), *options.cities()])


def _to_users(_result: object) -> str:
    return url_for("admin.users")


def _user_form(user: User, **kwargs: object) -> UserForm:
    form = UserForm(obj=user, city=user.city.slug if user.city else "", **kwargs)
    form.city.choices = _city_choices()
    return form


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users():  # Who: admins.
    permissions.require_admin(current_user)
    form = NewUserForm()
    form.city.choices = _city_choices()
    done = submit(
        form,
        lambda: accounts.create_user(
            current_user,
            email=form.email.data,
            password=form.password.data,
            role=form.role.data,
            city_slug=form.city.data or None,
            name=form.name.data or None,
        ),
        redirect_to=_to_users,
        message="Account created.",
    )
    if done:
        return done
    listing = db.session.scalars(sa.select(User).order_by(User.email)).all()
    return render_template("admin/users.html", users=listing, form=form), form_status(form)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int):  # Who: admins.
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
        message=f"Account {user.email} saved.",
    )
    reset = PasswordResetForm(formdata=None)
    return done or (
        render_template("admin/user.html", user=user, form=form, reset=reset),
        form_status(form),
    )


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@login_required
def reset_password(user_id: int):  # Who: admins.
    permissions.require_admin(current_user)
    user = db.get_or_404(User, user_id)
    reset = PasswordResetForm()
    done = submit(
        reset,
        lambda: accounts.reset_password(current_user, user, reset.password.data),
        redirect_to=_to_users,
        message=f"Password of {user.email} set; their sessions were signed out.",
    )
    form = _user_form(user, formdata=None)
    return done or (render_template("admin/user.html", user=user, form=form, reset=reset), 400)


@bp.route("/audit")
@login_required
def audit():  # Who: leads and admins.
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
