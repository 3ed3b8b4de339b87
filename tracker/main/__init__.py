"""The home page: the programme's headline figures."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from tracker.main import routes  # noqa: E402, F401
