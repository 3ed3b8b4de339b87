"""Administration: user accounts (admins) and the audit log (leads and admins)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from tracker.admin import routes  # noqa: E402, F401
