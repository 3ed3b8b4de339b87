"""Home page (every signed-in user)."""

from datetime import date

from flask import current_app, render_template
from flask_login import login_required

from tracker.main import bp
from tracker.services import overview


@bp.route("/")
@login_required
def index():  # Who: every signed-in user.
    programme = overview.current_programme()
    if programme is None:
        return render_template("main/empty.html")
    figures = overview.headline(programme, date.today(), current_app.config["DUE_SOON_DAYS"])
    return render_template("main/index.html", figures=figures, today=date.today())
