"""My city (an editor's page; other roles are sent to the overview, having no city)."""

from datetime import date

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.domain import permissions
from tracker.my import bp
from tracker.queries import mycity


@bp.route("")
@login_required
def index() -> (
    ResponseReturnValue
):  # Who: editors (their own city). Others are redirected to the overview.
    if not permissions.has_own_city(current_user):
        flash(
            _("My city is the page of a city's editors; your account is not bound to a city."),
            "info",
        )
        return redirect(url_for("main.index"))
    work = mycity.open_work(
        current_user.city_id,
        date.today(),
        current_app.config["STALE_AFTER_DAYS"],
        current_app.config["DUE_SOON_DAYS"],
    )
    return render_template(
        "my/index.html",
        city=current_user.city,
        work=work,
        stale_days=current_app.config["STALE_AFTER_DAYS"],
    )
