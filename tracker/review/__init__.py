"""The review queue: reports waiting for a reviewer, approved or returned one or many at once."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")

from tracker.review import routes  # noqa: E402, F401
