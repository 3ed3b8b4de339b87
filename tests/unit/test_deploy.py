"""The deployment files: the example environment lists every setting the app reads; gunicorn
loads its configuration and the app; nginx accepts the site (with a throw-away certificate)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.parts import self_signed_certificate, tool
from tracker.config import ENVIRONMENT, PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"


def test_the_example_environment_names_every_setting_with_its_default():
    text = (DEPLOY / "tracker.env.example").read_text(encoding="utf-8")
    lines = text.splitlines()
    for name in [*ENVIRONMENT, "TRACKER_INSTANCE_PATH"]:
        (at,) = [i for i, line in enumerate(lines) if line.lstrip("#").startswith(f"{name}=")]
        assert lines[at - 1].startswith("# Default: ") or lines[at - 2].startswith("# Default: ")


def test_the_units_start_what_exists(tmp_path):
    """Every flask command a unit runs is one the app has."""
    from tracker import create_app

    commands = set(
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 40}).cli.list_commands(None)
    )
    for unit in (DEPLOY / "systemd").glob("*.service"):
        for line in unit.read_text(encoding="utf-8").splitlines():
            if "flask --app tracker" in line:
                command = line.split("flask --app tracker", 1)[1].split()[0]
                assert command in commands, f"{unit.name}: {command}"


@pytest.mark.once
def test_gunicorn_loads_its_configuration_and_the_app(tmp_path):
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": "sqlite:///" + str(tmp_path / "t.sqlite"),
        "TRACKER_INSTANCE_PATH": str(tmp_path),
        "WEB_CONCURRENCY": "2",
    }
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--check-config",
            "-c",
            str(DEPLOY / "gunicorn.conf.py"),
            "tracker:create_app()",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.once
def test_nginx_accepts_the_site(tmp_path):
    nginx = tool("nginx", "TRACKER_TEST_REQUIRE_NGINX", "nginx")
    cert, key = self_signed_certificate(tmp_path)
    site = (DEPLOY / "nginx" / "tracker.conf").read_text(encoding="utf-8")
    site = site.replace(
        "/etc/letsencrypt/live/tracker.example.org/fullchain.pem", str(cert)
    ).replace("/etc/letsencrypt/live/tracker.example.org/privkey.pem", str(key))
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ access_log off; include {tmp_path}/site.conf; }}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_gunicorn_freezes_what_the_loaded_app_holds(tmp_path):
    """Each worker (and the parent before it forks) freezes the objects that exist once the
    app is loaded, so the garbage collector's full collections no longer walk them."""
    script = (
        "import gc, runpy\n"
        f"hooks = runpy.run_path({str(DEPLOY / 'gunicorn.conf.py')!r})\n"
        "from tracker import create_app\n"
        "create_app({'SECRET_KEY': 'x' * 40, 'INSTANCE_PATH': %r})\n"
        "before = gc.get_freeze_count()\n"
        "hooks['post_worker_init'](None)\n"
        "after = gc.get_freeze_count()\n"
        "hooks['pre_fork'](None, None)\n"
        "print(before, after, len(gc.get_objects()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script % str(tmp_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    before, after, left = (int(n) for n in result.stdout.split())
    assert before == 0
    assert after > 50_000  # the app's objects, frozen
    assert left < 1_000  # what a full collection still walks
