"""An action: its page and history, logging progress, editing it and its indicators."""

from flask import Blueprint

bp = Blueprint("actions", __name__, url_prefix="/actions")

from tracker.actions import routes  # noqa: E402, F401
