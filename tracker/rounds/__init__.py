"""Reporting rounds: the rounds, opening and closing one, a city's reports for a round in one
sitting, and two rounds side by side."""

from flask import Blueprint

bp = Blueprint("rounds", __name__, url_prefix="/rounds")

from tracker.rounds import routes  # noqa: E402, F401
