"""A city's plans: the Local Green Deal and climate programmes, with partners and actions."""

from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")

from tracker.plans import routes  # noqa: E402, F401
