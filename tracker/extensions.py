"""Unbound extension objects, bound to an app by the factory."""

from flask import request
from flask_babel import gettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from tracker.models.base import Base

db = SQLAlchemy(model_class=Base)
# SQLite runs DDL in real transactions here (see database.py), so a failed migration rolls back.
migrate = Migrate(render_as_batch=True, compare_type=True, transactional_ddl=True)
login_manager = LoginManager()
login_manager.login_view = "auth.login"


def N_(text: str) -> str:
    """Babel's marker: the text is extracted for translation and said later, in a request."""
    return text


# Said in the visitor's language: Flask-Login passes it through gettext when it flashes it.
login_manager.login_message = N_("Please sign in to see this page.")
login_manager.localize_callback = gettext
csrf = CSRFProtect()
# Per client address; storage from RATELIMIT_STORAGE_URI (Redis when TRACKER_REDIS_URL is set,
# else memory, which counts per worker process).
limiter = Limiter(get_remote_address)
# The routes that carry a limit (sign-in, reset, and the API's bad tokens). Every other request
# skips Flask-Limiter's work; tests/unit/test_factory.py checks that each limited route is here.
LIMITED_ENDPOINTS = frozenset({"auth.login", "auth.forgot"})
LIMITED_BLUEPRINTS = frozenset({"api"})


@limiter.request_filter
def _unlimited() -> bool:
    return request.blueprint not in LIMITED_BLUEPRINTS and request.endpoint not in (
        LIMITED_ENDPOINTS
    )
