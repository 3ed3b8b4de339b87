"""Sign-in and sign-out, and the idle timeout of a sign-in."""

import time

from flask import Blueprint, current_app, session

from tracker.extensions import login_manager
from tracker.models import User
from tracker.services import sign_in

bp = Blueprint("auth", __name__, url_prefix="/auth")

SEEN = "seen"  # when the signed-in browser was last active, in the signed session cookie
SEEN_GRANULARITY = 60  # seconds: the cookie is rewritten at most once a minute


def now() -> float:
    return time.time()


def mark_active() -> None:
    session[SEEN] = int(now())


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The signed-in account, unless the sign-in has ended: signed out, too old (absolute
    limit), or idle for longer than the idle timeout."""
    seen = session.get(SEEN)
    idle_limit = current_app.config["IDLE_TIMEOUT_MINUTES"] * 60
    if isinstance(seen, int) and now() - seen > idle_limit:
        session.clear()
        return None
    user = sign_in.user_for_session(session_id)
    if user is not None and (not isinstance(seen, int) or now() - seen >= SEEN_GRANULARITY):
        mark_active()
    return user


from tracker.auth import routes  # noqa: E402, F401
