"""Health checks: /livez for process supervisors (the process answers; nothing else is
touched), /healthz for load balancers (is the database answering?)."""

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db

bp = Blueprint("health", __name__)


@bp.route("/livez")
def livez() -> ResponseReturnValue:  # Who: anyone; it says only that the process answers.
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:  # Who: anyone; it tells nothing but up or down.
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok")
