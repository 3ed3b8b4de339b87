"""Cities: the list with a geographic overview, each city's page, and its climate programmes."""

from flask import Blueprint

bp = Blueprint("cities", __name__, url_prefix="/cities")

from tracker.cities import routes  # noqa: E402, F401
