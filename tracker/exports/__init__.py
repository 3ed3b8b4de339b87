"""Exports: CSV and XLSX of what a signed-in user may read, filtered like the pages."""

from flask import Blueprint

bp = Blueprint("exports", __name__, url_prefix="/exports")

from tracker.exports import routes  # noqa: E402, F401
