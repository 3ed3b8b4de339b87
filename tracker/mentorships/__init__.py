"""The mentor-mentee network."""

from flask import Blueprint

bp = Blueprint("mentorships", __name__, url_prefix="/mentorships")

from tracker.mentorships import routes  # noqa: E402, F401
