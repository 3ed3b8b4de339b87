"""A milestone: its page with the slip history, marking it done, moving its due date."""

from flask import Blueprint

bp = Blueprint("milestones", __name__, url_prefix="/milestones")

from tracker.milestones import routes  # noqa: E402, F401
