"""The real parts some tests start or reach beside the database: Redis, and nginx with a
throw-away certificate. Missing, a test skips with the reason, unless the variable named
requires the part (CI sets them all), when it fails."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REDIS_URL = os.environ.get("TRACKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SITE = "tracker.example.org"


def redis_problem() -> str | None:
    """Why Redis does not answer at REDIS_URL, or None."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # any failure to reach it is the reason to skip
        return str(exc)
    return None


def require_redis() -> None:
    problem = redis_problem()
    if problem:
        if os.environ.get("TRACKER_TEST_REQUIRE_REDIS"):
            pytest.fail(f"Redis is required but unreachable: {problem}")
        pytest.skip(f"Redis unreachable at {REDIS_URL} ({problem})")


def tool(name: str, required_by: str, package: str) -> str:
    """The path of a program (nginx, openssl, pg_dump), or a skip (a failure where the
    variable `required_by` is 1) naming the Debian package that brings it."""
    found = shutil.which(name)
    if found is None:
        if os.environ.get(required_by) == "1":
            pytest.fail(f"{name} is required here ({required_by}=1)")
        pytest.skip(f"{name} is not installed (Debian: apt-get install {package})")
    return found


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate (and its key) for SITE and 127.0.0.1, valid a day, signed by itself."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            tool("openssl", "TRACKER_TEST_REQUIRE_NGINX", "openssl"),
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={SITE}",
            "-addext",
            f"subjectAltName=DNS:{SITE},IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key
