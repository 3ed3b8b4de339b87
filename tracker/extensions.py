"""Unbound extension objects, bound to an app by the factory."""

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
login_manager.login_message = "Please sign in to see this page."
csrf = CSRFProtect()
# Per client address; storage from RATELIMIT_STORAGE_URI (Redis when TRACKER_REDIS_URL is set,
# else memory, which counts per worker process).
limiter = Limiter(get_remote_address)
