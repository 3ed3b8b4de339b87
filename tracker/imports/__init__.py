"""Imports of progress updates, actions and partners, with a preview before anything changes."""

from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/import")

from tracker.imports import routes  # noqa: E402, F401
