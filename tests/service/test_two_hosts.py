"""Two app hosts behind nginx, on one PostgreSQL database and one Redis, with two mail workers:
the service as an administration runs it on several machines (docs/operations.md), checked
through the proxy as browsers and API clients meet it.

Each host is gunicorn started from deploy/gunicorn.conf.py with an instance folder and a port
of its own; nginx runs deploy/nginx/tracker.conf (a throw-away certificate, both hosts as its
upstream); each answer names its host (TRACKER_SERVED_BY). Nothing here is mocked: the mail
goes to a real SMTP server (aiosmtpd), the backup and restore are the CLI's."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from tests.conftest import fresh_database
from tests.mail_server import Inbox, free_port, smtp_server
from tests.parts import REDIS_URL, SITE, require_redis, self_signed_certificate, tool
from tracker.config import PROJECT_ROOT

pytestmark = pytest.mark.postgresql

BIN = Path(sys.executable).parent
DEPLOY = PROJECT_ROOT / "deploy"
HOSTS = ("host-a", "host-b")
PASSWORD = "quartz-lantern-meadow-7391"
# Sign-in attempts per client address (Flask-Limiter, counted in Redis). Every client here
# reaches the app through nginx from 127.0.0.1, so the test's own sign-ins count too.
SIGN_IN_LIMIT = 8


def wait_until(ready: Any, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except (OSError, requests.RequestException):
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} did not come up within {seconds} s")


def site_config(cert: Path, key: Path, https_port: int, http_port: int, ports: list[int]) -> str:
    """deploy/nginx/tracker.conf as shipped, but for the test's ports, certificate and hosts."""
    site = (DEPLOY / "nginx" / "tracker.conf").read_text(encoding="utf-8")
    upstream = "".join(
        f"    server 127.0.0.1:{port} max_fails=2 fail_timeout=10s;\n" for port in ports
    )
    replacements = [
        ("    server 127.0.0.1:8000 max_fails=2 fail_timeout=10s;\n", upstream),
        ("    # server 10.0.0.12:8000 max_fails=2 fail_timeout=10s;\n", ""),
        ("    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n"),
        ("    listen [::]:80;\n", ""),
        ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https_port} ssl http2;\n"),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("/etc/letsencrypt/live/tracker.example.org/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/tracker.example.org/privkey.pem", str(key)),
    ]
    for old, new in replacements:
        assert old in site, f"deploy/nginx/tracker.conf no longer has {old.strip()!r}"
        site = site.replace(old, new)
    return site


def nginx_config(folder: Path, site: Path) -> str:
    temp = "".join(
        f"    {kind}_temp_path {folder}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # One worker: its round robin alternates the hosts request by request.
    return (
        ("user root;\n" if os.geteuid() == 0 else "")
        + "daemon off;\nworker_processes 1;\n"
        + f"pid {folder}/nginx.pid;\nerror_log {folder}/nginx-error.log;\n"
        + "events { worker_connections 512; }\n"
        + f"http {{\n    access_log {folder}/nginx-access.log;\n{temp}    include {site};\n}}\n"
    )


@dataclass
class Answer:
    key: str
    status: int
    host: str | None
    at: float


@dataclass
class Load:
    """What a load run saw: every answer, and the keys answered 201 (acknowledged)."""

    answers: list[Answer] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)
    unanswered: list[str] = field(default_factory=list)

    def statuses(self, low: int, high: int) -> list[Answer]:
        return [a for a in self.answers if low <= a.status <= high]


@dataclass
class Service:
    folder: Path
    database_url: str
    env: dict[str, str]
    cert: Path
    https_port: int
    inbox: Inbox
    hosts: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    token: str = ""

    def url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.https_port}{path}"

    def client(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # this certificate, no proxy: not what the environment says
        session.verify = str(self.cert)
        session.headers["Host"] = SITE
        return session

    def api(self) -> requests.Session:
        session = self.client()
        session.headers["Authorization"] = f"Bearer {self.token}"
        return session

    def cli(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [str(BIN / "flask"), "--app", "tracker", *args],
            cwd=PROJECT_ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, f"flask {' '.join(args)}: {result.stdout}{result.stderr}"
        return result.stdout

    def send_form(
        self, session: requests.Session, path: str, fields: dict[str, str]
    ) -> requests.Response:
        """The form at `path` fetched and sent, as a browser sends it (CSRF token, Referer)."""
        page = session.get(self.url(path), allow_redirects=False)
        assert page.status_code == 200, f"{path}: {page.status_code}"
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        assert found is not None, f"{path} carries no CSRF token"
        return session.post(
            self.url(path),
            data={**fields, "csrf_token": found.group(1)},
            headers={"Referer": f"https://{SITE}{path}"},
            allow_redirects=False,
        )

    def signed_in(self, email: str) -> requests.Session:
        session = self.client()
        answer = self.send_form(session, "/auth/login", {"email": email, "password": PASSWORD})
        assert answer.status_code == 302, answer.text[:500]
        return session

    def rows(self, query: str, **params: object) -> list[Any]:
        engine = sa.create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return list(connection.execute(sa.text(query), params))
        finally:
            engine.dispose()

    def stored_notes(self, prefix: str) -> dict[str, int]:
        found = self.rows(
            "SELECT note, count(*) FROM progress_updates WHERE note LIKE :p GROUP BY note",
            p=prefix + "%",
        )
        return {str(note): int(count) for note, count in found}

    def report(
        self, action_id: int, note: str, api: requests.Session | None = None
    ) -> requests.Response:
        """A progress report through the API, its note as its Idempotency-Key."""
        return (api or self.api()).post(
            self.url(f"/api/v1/actions/{action_id}/progress"),
            json={
                "reported_on": date.today().isoformat(),
                "status": "on_track",
                "percent_complete": 40,
                "note": note,
            },
            headers={"Idempotency-Key": note},
            timeout=60,
        )

    def kill(self, name: str) -> None:
        """The host dies at once, master and workers (as a machine that loses power)."""
        os.killpg(self.hosts[name].pid, signal.SIGKILL)
        self.hosts[name].wait(timeout=30)


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a host is killed whole
        )


def stop(process: subprocess.Popen[bytes], signum: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signum)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@contextmanager
def service(folder: Path, database_url: str) -> Iterator[Service]:
    nginx = tool("nginx", "TRACKER_TEST_REQUIRE_NGINX", "nginx")
    require_redis()
    tool("pg_dump", "TRACKER_TEST_REQUIRE_POSTGRES", "postgresql-client")
    cert, key = self_signed_certificate(folder)
    ports = [free_port() for _ in HOSTS]
    https_port, http_port = free_port(), free_port()
    with ExitStack() as stack:
        inbox, smtp_port = stack.enter_context(smtp_server())
        env = {
            **os.environ,
            "TRACKER_ENV": "production",
            "TRACKER_DATABASE_URL": database_url,
            "TRACKER_SECRET_KEY": "two-hosts-share-this-secret-key-" + "k" * 16,
            "TRACKER_BASE_URL": f"https://{SITE}",
            "TRACKER_REDIS_URL": REDIS_URL,
            "TRACKER_RATELIMIT_KEY_PREFIX": f"two-hosts-{uuid.uuid4().hex}",
            "TRACKER_PROXY_HOPS": "1",
            "TRACKER_TRUSTED_PROXIES": "127.0.0.1",
            "TRACKER_MAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "TRACKER_MAIL_BACKOFF_SECONDS": "0.2",
            "TRACKER_SIGN_IN_RATE_LIMIT": f"{SIGN_IN_LIMIT} per hour",
            "TRACKER_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            "TRACKER_INSTANCE_PATH": str(folder / "operator"),
            "WEB_CONCURRENCY": "2",
        }
        for name in ("TRACKER_MAIL_DELIVERY", "TRACKER_PUBLIC_PAGES", "TRACKER_SERVED_BY"):
            env.pop(name, None)
        svc = Service(folder, database_url, env, cert, https_port, inbox)
        svc.cli("db", "upgrade")
        svc.cli("seed", "--demo")
        for role in ("admin", "lead"):
            svc.cli(
                "users", "create", f"{role}@two-hosts.example.org", "--role", role,
                "--password-stdin", stdin=PASSWORD + "\n",
            )  # fmt: skip
        printed = svc.cli("users", "token", "lead@two-hosts.example.org", "--name", "load")
        svc.token = re.findall(r"\S{30,}", printed)[-1]
        for name, port in zip(HOSTS, ports, strict=True):
            host_env = {
                **env,
                "TRACKER_INSTANCE_PATH": str(folder / name),
                "TRACKER_SERVED_BY": name,
                "TRACKER_BIND": f"127.0.0.1:{port}",
            }
            command = [str(BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py")]
            svc.hosts[name] = start(
                [*command, "tracker:create_app()"], host_env, folder / f"{name}.log"
            )
            stack.callback(stop, svc.hosts[name])
        workers = [
            start(
                [str(BIN / "flask"), "--app", "tracker", "mail", "work", "--poll", "0.2"],
                env,
                folder / f"mail-worker-{n}.log",
            )
            for n in (1, 2)
        ]
        for worker in workers:
            stack.callback(stop, worker)
        site = folder / "site.conf"
        site.write_text(site_config(cert, key, https_port, http_port, ports), encoding="utf-8")
        (folder / "nginx.conf").write_text(nginx_config(folder, site), encoding="utf-8")
        proxy = start(
            [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf")],
            env,
            folder / "nginx.out",
        )
        stack.callback(stop, proxy, signal.SIGQUIT)
        for port in ports:
            wait_until(
                lambda port=port: requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).ok,
                f"the app on port {port}",
            )
        wait_until(lambda: svc.client().get(svc.url("/livez"), timeout=2).ok, "nginx")
        yield svc


def load(svc: Service, actions: list[int], writers: int, seconds: float, tag: str,
         during: Any = None) -> Load:  # fmt: skip
    """`writers` API clients reporting progress as fast as they are answered, for `seconds`;
    each report has its own Idempotency-Key, sent again until it is answered 201 when the
    answer was a 502/503/504 or none (as a careful client does). `during(seen)` runs once,
    in the middle of the run."""
    seen = Load()
    deadline = time.monotonic() + seconds

    def write(n: int) -> None:
        api = svc.api()
        count = 0
        while time.monotonic() < deadline:
            count += 1
            key = f"{tag}-{n}-{count}"
            for _attempt in range(60):
                try:
                    response = svc.report(actions[n % len(actions)], key, api)
                except requests.RequestException:
                    seen.answers.append(Answer(key, 0, None, time.monotonic()))
                    time.sleep(0.1)
                    continue
                host = response.headers.get("X-Served-By")
                seen.answers.append(Answer(key, response.status_code, host, time.monotonic()))
                if response.status_code == 201:
                    seen.acknowledged.add(key)
                    break
                if response.status_code not in (502, 503, 504):
                    break
                time.sleep(0.1)
            else:
                seen.unanswered.append(key)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    if during is not None:
        time.sleep(seconds / 3)
        during(seen)
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return seen


def check_sessions_work_on_either_host(svc: Service) -> requests.Session:
    assert svc.client().get(svc.url("/cities"), allow_redirects=False).status_code == 302
    lead = svc.signed_in("lead@two-hosts.example.org")
    served = []
    for _ in range(4):
        page = lead.get(svc.url("/cities"), allow_redirects=False)
        assert page.status_code == 200, "a session made on one host is refused by the other"
        served.append(page.headers["X-Served-By"])
    assert set(served) == set(HOSTS), f"requests did not alternate between the hosts: {served}"
    return lead


def check_a_write_shows_on_the_next_read_through_the_other_host(
    svc: Service, lead: requests.Session, action_id: int, city: str
) -> None:
    for _ in range(2):  # each host has the city's page in its cache
        assert lead.get(svc.url(f"/cities/{city}")).status_code == 200
    note = f"fresh-{uuid.uuid4().hex[:8]}"
    written = svc.report(action_id, note)
    assert written.status_code == 201, written.text
    reads = [lead.get(svc.url(f"/cities/{city}")) for _ in range(2)]
    assert {r.headers["X-Served-By"] for r in reads} == set(HOSTS)
    for read in reads:
        assert note in read.text, f"{read.headers['X-Served-By']} served a page from before"


def check_an_invitation_is_delivered_once(svc: Service) -> None:
    admin = svc.signed_in("admin@two-hosts.example.org")
    invited = "invited@two-hosts.example.org"
    made = svc.send_form(admin, "/admin/users", {"email": invited, "role": "viewer"})
    assert made.status_code == 302, made.text[:500]
    assert made.headers["X-Served-By"] in HOSTS
    wait_until(lambda: svc.inbox.to(invited), "the invitation", seconds=30)
    time.sleep(1.5)  # both workers (polling every 0.2 s) have looked again several times
    assert len(svc.inbox.to(invited)) == 1
    ((sent_at,),) = svc.rows(
        "SELECT m.sent_at FROM outgoing_mail m JOIN users u ON u.id = m.user_id WHERE u.email = :e",
        e=invited,
    )
    assert sent_at is not None


def check_concurrent_writers(svc: Service, actions: list[int]) -> None:
    tag = f"load-{uuid.uuid4().hex[:8]}"
    seen = load(svc, actions, writers=20, seconds=20, tag=tag)
    assert seen.statuses(500, 599) == [], "answers 5xx under load"
    assert [a for a in seen.answers if a.status != 201] == []
    assert seen.unanswered == []
    assert len(seen.acknowledged) > 40
    assert {a.host for a in seen.answers} == set(HOSTS)
    stored = svc.stored_notes(tag)
    assert {note for note, count in stored.items() if count != 1} == set(), "stored twice"
    assert set(stored) == seen.acknowledged


def check_a_restore_leaves_no_page_from_before_it(
    svc: Service, lead: requests.Session, action_id: int, city: str
) -> None:
    backup = svc.folder / "before.tar"
    svc.cli("backup", str(backup))
    gone = f"gone-{uuid.uuid4().hex[:8]}"
    assert svc.report(action_id, gone).status_code == 201
    for _ in range(2):  # both hosts keep a page with the report the restore takes away
        assert gone in lead.get(svc.url(f"/cities/{city}")).text
    svc.cli("restore", str(backup))
    kept = f"kept-{uuid.uuid4().hex[:8]}"
    assert svc.report(action_id, kept).status_code == 201  # the data version is counted again
    for _ in range(2):
        page = lead.get(svc.url(f"/cities/{city}"))
        assert page.status_code == 200
        assert kept in page.text
        assert gone not in page.text, f"{page.headers['X-Served-By']} served a page from before"


def check_the_sign_in_limit_counts_across_hosts(svc: Service) -> None:
    # Two sign-ins went before (the lead's and the admin's): the rest of the limit, then 429.
    client = svc.client()
    form = client.get(svc.url("/auth/login"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text)
    assert token is not None
    answers = []
    for _ in range(SIGN_IN_LIMIT - 2 + 1):  # one after the other: they alternate the hosts
        answer = client.post(
            svc.url("/auth/login"),
            data={"email": "nobody@example.org", "password": "wrong", "csrf_token": token[1]},
            headers={"Referer": f"https://{SITE}/auth/login"},
            allow_redirects=False,
        )
        answers.append((answer.status_code, answer.headers.get("X-Served-By")))
    assert [status for status, _host in answers] == [400] * (SIGN_IN_LIMIT - 2) + [429]
    assert {host for _status, host in answers[:-1]} == set(HOSTS)


def check_a_host_killed_mid_load(svc: Service, actions: list[int]) -> None:
    tag = f"kill-{uuid.uuid4().hex[:8]}"
    killed_at: list[float] = []

    def kill(_seen: Load) -> None:
        svc.kill("host-b")
        killed_at.append(time.monotonic())

    writers = 10
    seen = load(svc, actions, writers=writers, seconds=9, tag=tag, during=kill)
    assert seen.unanswered == [], "a report was never answered 201"
    failed = seen.statuses(500, 599)
    assert {a.status for a in failed} <= {502}, failed
    # Only what was in flight on the dead host fails; nginx then sends everything to the other.
    assert len(failed) <= 2 * writers, failed
    later = [a for a in seen.answers if a.at > killed_at[0] + 1 and a.status == 201]
    assert later, "nothing was answered after the host died"
    assert {a.host for a in later} == {"host-a"}
    stored = svc.stored_notes(tag)
    assert {note for note, count in stored.items() if count != 1} == set(), "stored twice"
    assert seen.acknowledged <= set(stored), "an acknowledged report was lost"
    assert set(stored) == seen.acknowledged


def test_two_hosts_behind_nginx_serve_one_programme(tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-hosts")
    with fresh_database("postgresql", tmp_path_factory) as url, service(folder, url) as svc:
        listed = svc.api().get(svc.url("/api/v1/actions?limit=100")).json()["items"]
        actions = [a["id"] for a in listed][:10]
        first = listed[0]
        assert len(actions) == 10
        lead = check_sessions_work_on_either_host(svc)
        check_a_write_shows_on_the_next_read_through_the_other_host(
            svc, lead, first["id"], first["city"]
        )
        check_an_invitation_is_delivered_once(svc)
        check_concurrent_writers(svc, actions)
        check_a_restore_leaves_no_page_from_before_it(svc, lead, first["id"], first["city"])
        check_the_sign_in_limit_counts_across_hosts(svc)
        check_a_host_killed_mid_load(svc, actions)
        for name in HOSTS:
            log = (folder / f"{name}.log").read_text(encoding="utf-8", errors="replace")
            assert "Traceback" not in log, log[-3000:]
