"""`flask check`: each production problem named, exit 1; warnings alone exit 0."""

from __future__ import annotations

import pytest

from tests.conftest import make_config
from tracker import create_app

GOOD = {
    "ENV_NAME": "production",
    "SECRET_KEY": "k" * 48,
    "BASE_URL": "https://tracker.example.org",
    "MAIL_URL": "smtp://mail.example.org:587",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SESSION_COOKIE_SECURE": True,
}


def run_check(tmp_path, *args: str, **overrides: object):
    config = make_config("postgresql+psycopg://app@db.example.org/tracker", tmp_path)
    config.update(GOOD)
    config.update(overrides)
    for name, value in overrides.items():
        if value is None:
            config.pop(name)
    app = create_app(config)
    return app.test_cli_runner().invoke(args=["check", *args])


def test_a_sound_production_configuration_passes(tmp_path):
    result = run_check(tmp_path, "--workers", "4", "--hosts", "2")
    assert result.exit_code == 0, result.output
    assert "No problem found." in result.output
    assert "problem:" not in result.output


@pytest.mark.parametrize(
    ("overrides", "args", "named"),
    [
        ({"SECRET_KEY": None}, [], "TRACKER_SECRET_KEY is not set"),
        ({"SECRET_KEY": "short-key"}, [], "TRACKER_SECRET_KEY is 9 characters long"),
        ({"BASE_URL": "http://127.0.0.1:5000"}, [], "TRACKER_BASE_URL is not set"),
        ({"MAIL_URL": None}, [], "TRACKER_MAIL_URL is not set"),
        ({"REDIS_URL": None}, ["--workers", "4"], "4 worker(s) on 1 host(s) without"),
        ({"REDIS_URL": None}, ["--hosts", "2"], "1 worker(s) on 2 host(s) without"),
        ({"PROXY_HOPS": 1, "TRUSTED_PROXIES": " "}, [], "TRACKER_PROXY_HOPS is set without"),
        (
            {"SQLALCHEMY_DATABASE_URI": "sqlite:///tracker.sqlite"},
            ["--hosts", "2"],
            "SQLite under 2 hosts",
        ),
    ],
)
def test_each_problem_is_named_and_fails_the_check(tmp_path, overrides, args, named):
    if overrides.get("SECRET_KEY", "") is None:
        overrides = {**overrides, "ENV_NAME": "development"}  # production refuses to start
    result = run_check(tmp_path, *args, **overrides)
    assert result.exit_code == 1, result.output
    problems = [line for line in result.output.splitlines() if line.startswith("problem:")]
    assert len(problems) == 1, result.output
    assert named in problems[0]


def test_warnings_alone_keep_the_exit_zero(tmp_path):
    result = run_check(tmp_path, PUBLIC_PAGES=True, REVIEW="off")
    assert result.exit_code == 0, result.output
    assert "warning: The public view is on with TRACKER_REVIEW=off" in result.output


def test_bad_options_are_refused(tmp_path):
    result = run_check(tmp_path, "--workers", "0")
    assert result.exit_code == 2
    assert "--workers" in result.output


def test_serving_the_full_plotly_js_is_a_warning(tmp_path, monkeypatch):
    """Built without npm, the app serves the whole plotly.js; the check says what it costs."""
    import tracker.assets

    full = tmp_path / "plotly.min.js"
    full.write_text("/* the whole plotly.js */")
    monkeypatch.setattr(tracker.assets, "PLOTLY_BUNDLE", tmp_path / "not-built.js")
    monkeypatch.setattr(tracker.assets, "PLOTLY_FULL", full)
    result = run_check(tmp_path, ASSETS_DIR=str(tmp_path / "assets"))
    assert result.exit_code == 0, result.output
    assert "warning: plotly.js is the full bundle" in result.output
