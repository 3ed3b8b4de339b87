"""Answers with a person's data are never cached; public static files are. Production sends
Secure cookies and HSTS, and refuses to start configured otherwise. A sign-in ends after the
idle timeout."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_user
from tests.helpers import login
from tests.unit.test_factory import clean_env  # noqa: F401  (the fixture)
from tracker import auth, create_app
from tracker.services import tokens


@pytest.fixture
def signed_in(client, app):
    make_user("lead")
    login(client, "lead-all@example.org")
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/cities/dortmund",
        "/exports/cities.csv",
        "/exports/actions.xlsx",
        "/api/v1/cities",
        "/milestones",
    ],
)
def test_answers_with_data_are_never_stored(signed_in, path):
    response = signed_in.get(path)
    response.get_data()
    response.close()  # as a WSGI server does: a spooled export is closed with its response
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_a_visitor_without_cookies_gets_none_and_an_answer_a_shared_cache_may_keep(client, app):
    """A request that brings no cookie (a health check, the public view, an API call with a
    token) gets no cookie and no `Vary: Cookie`: nothing read the session. A signed-in page
    does vary by it."""
    app.config["PUBLIC_PAGES"] = True
    for path in ("/livez", "/public/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
        assert "Cookie" not in response.vary, path
    make_user("lead")
    login(client, "lead-all@example.org")
    assert "Cookie" in client.get("/").vary


def test_a_token_answer_is_never_stored(client, app):
    user = make_user("viewer")
    token = tokens.issue_token(None, user, "t", actor_label="test")
    response = client.get("/api/v1/actions", headers={"Authorization": f"Bearer {token}"})
    assert response.headers["Cache-Control"] == "no-store"


def test_the_page_showing_a_new_token_is_never_stored(signed_in, app):
    admin = make_user("admin")
    client = app.test_client()
    login(client, admin.email)
    response = client.post(f"/admin/users/{admin.id}/tokens", data={"name": "script"})
    assert response.status_code == 200
    assert "icc_" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_have_hashed_names_and_a_year_of_immutable_caching(app, client):
    asset_url = app.jinja_env.globals["asset_url"]
    for name in ("css/app.css", "js/charts.js", "js/forms.js", "js/plotly.min.js", "favicon.svg"):
        url = asset_url(name)
        assert re.fullmatch(r"/static/.+\.[0-9a-f]{12}\.\w+", url), url
        response = client.get(url)
        response.close()
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "max-age=31536000, public, immutable", url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Access-Control-Allow-Origin" not in response.headers
    # The build's index is not served.
    assert client.get("/static/manifest.json").status_code == 404


def test_production_sends_secure_cookies_and_hsts(clean_env, tmp_path):  # noqa: F811
    clean_env.setenv("TRACKER_ENV", "production")
    clean_env.setenv("TRACKER_SECRET_KEY", "a-production-secret")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    response = app.test_client().get("/auth/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = response.headers["Set-Cookie"]  # the sign-in form's session (its CSRF token)
    assert cookie.startswith("session=")
    assert "; Secure" in cookie
    development = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "ENV_NAME": "development",
        }
    )
    assert "Strict-Transport-Security" not in development.test_client().get("/auth/login").headers


def test_production_with_insecure_cookies_is_a_start_up_error(clean_env, tmp_path):  # noqa: F811
    clean_env.setenv("TRACKER_ENV", "production")
    clean_env.setenv("TRACKER_SECRET_KEY", "a-production-secret")
    clean_env.setenv("TRACKER_SESSION_COOKIE_SECURE", "false")
    with pytest.raises(RuntimeError, match="SESSION_COOKIE_SECURE is off"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_an_idle_sign_in_ends_after_the_timeout(signed_in, app, monkeypatch):
    start = auth.now()
    monkeypatch.setattr(auth, "now", lambda: start)
    assert signed_in.get("/").status_code == 200
    # Active within the timeout: still signed in, and the clock of activity moves on.
    monkeypatch.setattr(auth, "now", lambda: start + 29 * 60)
    assert signed_in.get("/").status_code == 200
    monkeypatch.setattr(auth, "now", lambda: start + 58 * 60)
    assert signed_in.get("/").status_code == 200
    # Then 31 idle minutes: the sign-in has ended.
    monkeypatch.setattr(auth, "now", lambda: start + 89 * 60)
    response = signed_in.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    monkeypatch.setattr(auth, "now", lambda: start + 90 * 60)
    assert signed_in.get("/").status_code == 302
