"""Sign-in and sign-out."""

from flask import Blueprint

from tracker.extensions import login_manager
from tracker.services import accounts

bp = Blueprint("auth", __name__, url_prefix="/auth")


@login_manager.user_loader
def load_user(session_id: str):  # type: ignore[no-untyped-def]
    return accounts.user_for_session(session_id)


from tracker.auth import routes  # noqa: E402, F401
