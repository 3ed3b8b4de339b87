"""My city: an editor's own city's open work."""

from flask import Blueprint

bp = Blueprint("my", __name__, url_prefix="/my")

from tracker.my import routes  # noqa: E402, F401
