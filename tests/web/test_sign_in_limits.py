"""Sign-in limits: per account, counted in the database (so every worker sees one count), the
11th failure in 15 minutes locks the account even against the right password, with the same
answer as a wrong one, until the window has passed; failures leave one audit event per account
and window. Per client address, Flask-Limiter answers 429 with Retry-After, for sign-ins and for
API requests with a bad token."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import build_app, fresh_database
from tests.factories import PASSWORD, make_user
from tests.helpers import login
from tests.parts import REDIS_URL, require_redis
from tracker.auth.routes import SIGN_IN_REFUSED
from tracker.extensions import db
from tracker.models import AuditEvent, SignInThrottle, UserSession


def client_from(app, address: str):
    """A test client whose requests come from `address` (a documentation address, RFC 5737)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client, email: str, password: str) -> str:
    response = login(client, email, password)
    return "signed in" if response.status_code == 302 else response.get_data(as_text=True)


def test_after_ten_failures_the_right_password_is_refused_until_the_window_passes(client, app):
    user = make_user("viewer")
    for _ in range(9):
        assert SIGN_IN_REFUSED in attempt(client, user.email, "not the password at all")
    # Nine failures: the right password still works.
    assert attempt(app.test_client(), user.email, PASSWORD) == "signed in"
    assert SIGN_IN_REFUSED in attempt(client, user.email, "not the password at all")
    # Ten: the eleventh attempt is refused even with the right password, like a wrong one.
    refused = attempt(app.test_client(), user.email, PASSWORD)
    wrong = attempt(app.test_client(), user.email, "not the password at all")
    unknown = attempt(app.test_client(), "nobody@example.org", "not the password at all")
    for page in (refused, wrong, unknown):
        assert SIGN_IN_REFUSED in page
    assert len(re.sub(r'value="[^"]*"', "", refused)) == len(re.sub(r'value="[^"]*"', "", wrong))
    # One audit event for the window, however many failures; the count is kept apart.
    events = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.verb == "auth.sign_in_failed", AuditEvent.actor == user.email
        )
    ).all()
    assert len(events) == 1
    assert db.session.get(SignInThrottle, user.email).failures == 12
    # When the window has passed, the right password works again.
    for throttle in db.session.scalars(sa.select(SignInThrottle)):
        throttle.window_started_at = throttle.window_started_at - timedelta(minutes=61)
    db.session.commit()
    assert attempt(app.test_client(), user.email, PASSWORD) == "signed in"


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_a_strangers_guesses_lock_out_the_stranger_not_the_owner(app):
    user = make_user("viewer", email="owner@example.org")
    stranger = "203.0.113.9"
    for _ in range(12):
        assert SIGN_IN_REFUSED in attempt(from_address(app, stranger), user.email, "guess")
    # From the stranger's address the account is locked, right password or not, and looks
    # like any refused sign-in...
    locked = attempt(from_address(app, stranger), user.email, PASSWORD)
    unknown = attempt(from_address(app, stranger), "nobody@example.org", "guess")
    assert SIGN_IN_REFUSED in locked
    assert len(re.sub(r'value="[^"]*"', "", locked)) == len(re.sub(r'value="[^"]*"', "", unknown))
    # ...while the owner, elsewhere, signs in.
    assert attempt(from_address(app, "198.51.100.4"), user.email, PASSWORD) == "signed in"


def test_guesses_spread_over_many_addresses_meet_the_accounts_ceiling(app):
    user = make_user("viewer", email="spread@example.org")
    app.config["SIGN_IN_ACCOUNT_MAX_FAILURES"] = 20  # 100 an hour unless set
    for n in range(20):  # one guess each from twenty addresses: no pair is near its limit
        assert SIGN_IN_REFUSED in attempt(from_address(app, f"192.0.2.{n}"), user.email, "guess")
    assert SIGN_IN_REFUSED in attempt(from_address(app, "198.51.100.5"), user.email, PASSWORD)
    assert db.session.get(SignInThrottle, user.email).failures == 21
    other = make_user("viewer", email="untouched@example.org")
    assert attempt(from_address(app, "198.51.100.5"), other.email, PASSWORD) == "signed in"


def test_a_refused_sign_in_costs_the_same_work_whoever_it_is(client, app, monkeypatch):
    """Each path checks exactly one password hash, so timing tells nothing apart. (Counted,
    not timed: these machines are too noisy for timed assertions.)"""
    from tracker.models import user as user_model
    from tracker.services import sign_in

    user = make_user("viewer")
    for _ in range(10):
        attempt(client, user.email, "wrong wrong wrong")
    checks: list[str] = []

    def counting(module):
        real = module.check_password_hash

        def check(hashed: str, password: str) -> bool:
            checks.append(password)
            return real(hashed, password)

        return check

    monkeypatch.setattr(sign_in, "check_password_hash", counting(sign_in))
    monkeypatch.setattr(user_model, "check_password_hash", counting(user_model))
    for email, password in (
        (user.email, PASSWORD),  # locked
        ("viewer-all@example.org", "wrong"),  # locked too: same account
        ("nobody@example.org", "wrong"),  # unknown
    ):
        checks.clear()
        assert SIGN_IN_REFUSED in attempt(app.test_client(), email, password)
        assert len(checks) == 1, email
    other = make_user("lead")
    checks.clear()
    assert SIGN_IN_REFUSED in attempt(app.test_client(), other.email, "wrong")  # wrong password
    assert len(checks) == 1


def test_the_per_address_limit_answers_429_with_retry_after(app):
    app.config["SIGN_IN_RATE_LIMIT"] = "3 per minute"
    make_user("viewer")
    client = client_from(app, "192.0.2.10")
    statuses = [login(client, "viewer-all@example.org", "wrong").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    response = login(client, "viewer-all@example.org", PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0
    # Another address is not affected.
    elsewhere = client_from(app, "192.0.2.11")
    assert login(elsewhere, "viewer-all@example.org", PASSWORD).status_code == 302


def test_guessing_api_tokens_is_limited_per_address(app):
    app.config["TOKEN_FAILURE_RATE_LIMIT"] = "3 per minute"
    client = client_from(app, "192.0.2.20")
    headers = {"Authorization": "Bearer icc_guess"}
    statuses = [client.get("/api/v1/programmes", headers=headers).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert "Retry-After" in client.get("/api/v1/programmes", headers=headers).headers


# Two gunicorn workers on loopback share one count --------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(backend, tmp_path_factory, tmp_path, request):
    extra = getattr(request, "param", {})
    with fresh_database(backend, tmp_path_factory) as url:
        app = build_app(url, tmp_path_factory.mktemp("gunicorn"), demo=False)
        with app.app_context():
            make_user("viewer")
            db.session.remove()
            db.engine.dispose()
        port = free_port()
        env = {
            **os.environ,
            "TRACKER_DATABASE_URL": url,
            "TRACKER_SECRET_KEY": "gunicorn-test-secret",
            "TRACKER_INSTANCE_PATH": str(tmp_path),
            "TRACKER_SIGN_IN_RATE_LIMIT": "1000 per minute",
            "TRACKER_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            **extra,
        }
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "tracker:create_app()",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=2):  # noqa: S310
                        break
                except OSError:
                    time.sleep(0.1)
            yield base, url
        finally:
            process.terminate()
            process.wait(timeout=20)


def sign_in_over_http(base: str, email: str, password: str) -> tuple[int, str]:
    return post_over_http(base, "/auth/login", {"email": email, "password": password})


def post_over_http(base: str, path: str, fields: dict[str, str]) -> tuple[int, str]:
    """The form at `path` fetched and sent, as a browser would, on connections of its own."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    with opener.open(base + path, timeout=10) as response:
        page = response.read().decode()
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found is not None, f"{path} carries no CSRF token"
    body = urllib.parse.urlencode({**fields, "csrf_token": found.group(1)})
    try:
        with opener.open(base + path, data=body.encode(), timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


def scalar_at(url: str, query: str) -> object:
    """One value read from the database the served app uses, on a connection of its own."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(sa.text(query)).scalar()
    engine.dispose()
    return value


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_two_gunicorn_workers_share_one_failure_count(gunicorn):
    base, url = gunicorn
    for _ in range(11):
        status, page = sign_in_over_http(base, "viewer-all@example.org", "not it at all")
        assert status == 400
        assert SIGN_IN_REFUSED in page
    status, page = sign_in_over_http(base, "viewer-all@example.org", PASSWORD)
    assert status == 400
    assert SIGN_IN_REFUSED in page
    failures = "SELECT failures FROM sign_in_throttles WHERE key = 'viewer-all@example.org'"
    assert scalar_at(url, failures) == 12


@pytest.mark.parametrize(
    "gunicorn",
    [
        {
            "TRACKER_REDIS_URL": REDIS_URL,
            "TRACKER_SIGN_IN_RATE_LIMIT": "5 per minute",
            # A prefix of this run's own, so no earlier run's count is seen.
            "TRACKER_RATELIMIT_KEY_PREFIX": f"tracker-test-{os.getpid()}-{time.time_ns()}",
        }
    ],
    indirect=True,
)
def test_with_redis_two_gunicorn_workers_share_one_address_limit(gunicorn):
    require_redis()
    base, _url = gunicorn
    # Each attempt opens a new connection, so the two workers share them; with memory
    # storage each worker would count its own and let about ten through.
    statuses = [sign_in_over_http(base, "viewer-all@example.org", "wrong")[0] for _ in range(8)]
    assert statuses[:5] == [400] * 5
    assert statuses[5:] == [429] * 3


def test_behind_a_proxy_the_limit_counts_each_client_not_the_proxy(backend, tmp_path_factory):
    with fresh_database(backend, tmp_path_factory) as url:
        app = build_app(url, tmp_path_factory.mktemp("proxied"), demo=False)
        app.config["SIGN_IN_RATE_LIMIT"] = "2 per minute"
        # PROXY_HOPS is read when the app is made; wrap as create_app does for PROXY_HOPS=1.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
        client_address = f"192.0.2.{os.getpid() % 200 + 30}"

        def attempts(address: str) -> list[int]:
            client = app.test_client()
            client.environ_base["REMOTE_ADDR"] = "198.51.100.1"  # the load balancer
            client.environ_base["HTTP_X_FORWARDED_FOR"] = address
            with app.app_context():
                return [login(client, "nobody@example.org", "x").status_code for _ in range(3)]

        assert attempts(client_address) == [400, 400, 429]
        assert attempts(client_address + "1") == [400, 400, 429]  # a count of its own
        with app.app_context():
            db.engine.dispose()


def test_proxy_hops_wrap_the_app_in_proxy_fix(tmp_path):
    from werkzeug.middleware.proxy_fix import ProxyFix

    from tracker import create_app

    config = {
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "SECRET_KEY": "x",
        "INSTANCE_PATH": str(tmp_path),
    }
    assert not isinstance(create_app(config).wsgi_app, ProxyFix)
    proxied = create_app({**config, "PROXY_HOPS": 1}).wsgi_app
    assert isinstance(proxied, ProxyFix)
    assert proxied.x_for == 1


def test_forwarded_addresses_count_only_from_a_trusted_proxy(backend, tmp_path_factory):
    """With PROXY_HOPS=1, a client that reaches the app's port directly and sends a new
    X-Forwarded-For each time is still counted by its own address and limited."""
    from tracker import configure_proxies

    with fresh_database(backend, tmp_path_factory) as url:
        app = build_app(url, tmp_path_factory.mktemp("trusted"), demo=False)
        app.config.update(SIGN_IN_RATE_LIMIT="2 per minute", PROXY_HOPS=1)
        configure_proxies(app)  # as create_app does with TRACKER_PROXY_HOPS=1

        def attempt(peer: str, forwarded: str) -> int:
            client = app.test_client()
            client.environ_base["REMOTE_ADDR"] = peer
            client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded
            with app.app_context():
                return login(client, "nobody@example.org", "x").status_code

        direct = "203.0.113.7"  # not a proxy: what it forwards is ignored
        assert [attempt(direct, f"192.0.2.{n}") for n in range(3)] == [400, 400, 429]
        # Through the trusted proxy (loopback, by default) each client counts apart.
        assert [attempt("127.0.0.1", "198.51.100.20") for _ in range(3)] == [400, 400, 429]
        assert attempt("127.0.0.1", "198.51.100.21") == 400
        with app.app_context():
            db.engine.dispose()


def test_a_bad_trusted_proxies_setting_is_named_at_start(tmp_path):
    from tracker import create_app

    config = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"}
    with pytest.raises(RuntimeError, match="not-an-address"):
        create_app({**config, "PROXY_HOPS": 1, "TRUSTED_PROXIES": "10.0.0.1, not-an-address"})


@pytest.mark.parametrize(
    "gunicorn", [{"TRACKER_RESET_PER_ADDRESS_LIMIT": "3 per hour"}], indirect=True
)
def test_without_redis_two_workers_share_the_per_address_reset_limit(gunicorn):
    base, url = gunicorn
    statuses = [
        post_over_http(base, "/auth/forgot", {"email": "viewer-all@example.org"})[0]
        for _ in range(6)
    ]
    assert statuses == [200, 200, 200, 429, 429, 429]
    assert scalar_at(url, "SELECT count(*) FROM outgoing_mail WHERE kind = 'reset'") == 3
