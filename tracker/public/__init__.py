"""The public view of the programme (/public/): its overview, the cohort and each city's
page, for anyone, without signing in; off unless TRACKER_PUBLIC_PAGES is set."""

from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/public")

from tracker.public import routes  # noqa: E402, F401
