"""The benchmark: every dashboard and the main API lists under gunicorn, driven by wrk.

    .venv/bin/python -m bench.run --quick      # the seed size, 2 s per address: a few minutes
    .venv/bin/python -m bench.run              # seed, 1,000 and 10,000 generated cities

For each database (SQLite always; PostgreSQL when TRACKER_BENCH_POSTGRES_URL, by default
postgresql://postgres@127.0.0.1:5432/test, answers) and each data size, it builds a database
with `bench.generate`, starts the app under gunicorn with two workers on a loopback port, signs
in, and runs wrk against each address, and against /livez, a route of the same app that touches
no database and answers a short string: the framework's ceiling on this machine, so each page is
also given as a share of it. It counts each page's queries in-process (rendered afresh, and
from the cache), measures the HTML and the bytes a browser downloads on a first and a second
visit, each worker's peak memory, progress logging through the API (POST, every accepted write
then checked as stored) and a 10,000-row progress import (preview, then apply).

It prints tables and ratios and asserts nothing: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

from bench import lighthouse, mixed

PAGES = [
    "/",
    "/cohort",
    "/mentorships",
    "/milestones",
    "/cities",
    "/cities/dortmund",
    "/cities/dortmund/climate",
]
API = ["/api/v1/actions?limit=100", "/api/v1/cities", "/api/v1/milestones?limit=100"]
TRIVIAL = "/livez"
SIZES = {"seed": 0, "1,000 cities": 1000, "10,000 cities": 10000}
IMPORT_ROWS = 10_000
PASSWORD = "bench password 1"  # noqa: S105  (throwaway databases)
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), errors, summary.errors.status))
end
"""
POST_SCRIPT = """
local ids = {%(ids)s}
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
request = function()
  counter = counter + 1
  local id = ids[(counter %% #ids) + 1]
  local body = string.format(
    '{"reported_on": "%(today)s", "status": "on_track", "percent_complete": %%d, '
    .. '"note": "bench write %%d"}', counter %% 100, counter)
  return wrk.format(nil, "/api/v1/actions/" .. id .. "/progress", nil, body)
end
"""


@dataclass
class Measure:
    address: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    failed: int = 0
    queries_cold: int = 0
    queries_cached: int = 0
    html_kb: float = 0.0
    first_kb: float = 0.0
    second_kb: float = 0.0
    cold_ms: float = 0.0
    p95_writing_ms: float = 0.0
    # With pages allowed mixed.STALE_SECONDS behind others' writes: p95 without, and under writes.
    p95_window_ms: tuple[float, float] | None = None
    lighthouse: float | None = None
    lighthouse_kb: float | None = None


@dataclass
class Run:
    database: str
    size: str
    cities: int = 0
    updates: int = 0
    measures: list[Measure] = field(default_factory=list)
    memory_mb: list[float] = field(default_factory=list)
    writes_per_s: float = 0.0
    writes_accepted: int = 0
    writes_stored: int = 0
    writes_refused: int = 0
    preview_s: float = 0.0
    apply_s: float = 0.0
    import_status: str = ""
    bare_rps: float = 0.0
    lighthouse_note: str = ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_admin_url() -> str:
    return os.environ.get(
        "TRACKER_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )


def postgres_reachable() -> bool:
    engine = sa.create_engine(postgres_admin_url(), connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


@contextmanager
def database(kind: str, size: int, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder}/bench-{size}.sqlite"
        return
    name = f"icc_bench_{size}_{os.getpid()}"
    admin = sa.create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield (
            sa.make_url(postgres_admin_url())
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def fill(url: str, cities: int) -> tuple[Any, int, int]:
    """Migrate, seed and generate; add the bench's own account. The app, cities, updates."""
    from bench.generate import add_cities, analyze, prepare
    from tracker.database import writing
    from tracker.extensions import db
    from tracker.models import City, ProgressUpdate
    from tracker.services import accounts

    app = prepare(url)
    app.config.update(WTF_CSRF_ENABLED=False, SIGN_IN_RATE_LIMIT="100000 per minute")
    with app.app_context(), writing():
        if cities:
            add_cities(cities)
            analyze()
        accounts.create_user(
            None, email="bench@example.org", password=PASSWORD, role="lead", actor_label="bench"
        )
        db.session.commit()
        counts = (
            db.session.scalar(sa.select(sa.func.count()).select_from(City)) or 0,
            db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate)) or 0,
        )
    return app, *counts


def count_queries(app: Any, addresses: list[str]) -> dict[str, tuple[int, int, float]]:
    """Each address in-process: its queries rendered afresh (as after a write: the cache is
    emptied), then from the cache, and the median of three fresh renders in ms (the cold
    path a reader meets after any write)."""
    from sqlalchemy import event

    from tracker.extensions import db

    client = app.test_client()
    client.post("/auth/login", data={"email": "bench@example.org", "password": PASSWORD})
    counts: dict[str, tuple[int, int, float]] = {}
    with app.app_context():
        engine = db.engine
    for address in addresses:
        numbers = []
        app.extensions["tracker_cache"].clear()
        for _ in range(2):
            seen = [0]

            def count(*_args: Any, seen: list[int] = seen) -> None:
                seen[0] += 1

            event.listen(engine, "before_cursor_execute", count)
            try:
                client.get(address)
            finally:
                event.remove(engine, "before_cursor_execute", count)
            numbers.append(seen[0])
        timings = []
        for _ in range(3):
            app.extensions["tracker_cache"].clear()
            began = time.perf_counter()
            client.get(address)
            timings.append((time.perf_counter() - began) * 1000)
        counts[address] = (numbers[0], numbers[1], sorted(timings)[1])
    return counts


@contextmanager
def gunicorn(
    url: str, folder: Path, app: str = "tracker:create_app()", env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {
        **os.environ,
        **(env or {}),
        "TRACKER_DATABASE_URL": url,
        "TRACKER_SECRET_KEY": "bench-secret-key",
        "TRACKER_INSTANCE_PATH": str(folder),
        "TRACKER_SIGN_IN_RATE_LIMIT": "100000 per minute",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if requests.get(base + TRIVIAL, timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not start")
        yield base, process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def worker_memory(master: int) -> list[float]:
    """Each gunicorn worker's peak resident memory (VmHWM), in MB."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            peaks.append(int(match.group(1)) / 1024)
    return peaks


def sign_in(base: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/auth/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"email": "bench@example.org", "password": PASSWORD}
    if token:
        data["csrf_token"] = token.group(1)
    answer = session.post(base + "/auth/login", data=data, timeout=30)
    if "/auth/login" in answer.url:
        raise SystemExit("the bench could not sign in")
    return session


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


@dataclass
class Load:
    """What one wrk run saw: requests, seconds, p50 and p95 in ms, and the failed ones (errors,
    and answers other than 2xx or 3xx)."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    failed: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def wrk(url: str, seconds: int, headers: list[str], script: str) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script + WRK_SCRIPT)
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "-s", handle.name]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    os.unlink(handle.name)
    match = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", output)
    if not match:
        raise SystemExit(f"wrk said:\n{output}")
    count, micros, p50, p95, errors, status = (int(g) for g in match.groups())
    return Load(count, micros / 1e6, p50 / 1000, p95 / 1000, errors + status)


def wire_size(session: requests.Session, url: str) -> tuple[int, dict[str, str]]:
    response = session.get(url, headers={"Accept-Encoding": "br, gzip"}, stream=True, timeout=60)
    body = response.raw.read(decode_content=False)
    return len(body), dict(response.headers)


def visits(session: requests.Session, base: str, address: str) -> tuple[float, float, float]:
    """The page's HTML, and the kB a browser downloads on a first and on a second visit (the
    page and the static files as they travel, compressed; the second fetches again only what
    its first answer did not let it keep)."""
    html = session.get(base + address, timeout=60).text
    size = len(html.encode())
    page, _headers = wire_size(session, base + address)  # compressed, as the browser gets it
    # With what charts.js fetches when a chart nears the screen (plotly.js, its German, outlines).
    named = r'(?:src|href|data-plotly|data-locale|data-geo)="(/static/[^"]+)"'
    assets = sorted(set(re.findall(named, html)))
    first = second = page
    for asset in assets:
        wire, headers = wire_size(session, base + asset)
        first += wire
        if "immutable" not in headers.get("Cache-Control", ""):
            second += wire
    return size / 1024, first / 1024, second / 1024


def log_progress(base: str, app: Any, seconds: int, run: Run) -> None:
    from tracker.extensions import db
    from tracker.models import Action, ProgressUpdate, User
    from tracker.services import tokens

    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == "bench@example.org")).one()
        token = tokens.issue_token(None, user, "bench", actor_label="bench")
        ids = db.session.scalars(sa.select(Action.id).order_by(Action.id).limit(200)).all()
        db.session.commit()
        before = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ProgressUpdate)
            .where(ProgressUpdate.note.like("bench write %"))
        )
        db.session.remove()
    script = POST_SCRIPT % {
        "ids": ", ".join(str(i) for i in ids),
        "token": token,
        "today": date.today().isoformat(),
    }
    load = wrk(base, seconds, [], script)
    time.sleep(1)  # what was in flight when wrk stopped (up to its 8 connections) lands
    with app.app_context():
        stored = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ProgressUpdate)
            .where(ProgressUpdate.note.like("bench write %"))
        )
        db.session.remove()
    run.writes_accepted = load.requests - load.failed
    run.writes_refused = load.failed
    run.writes_stored = (stored or 0) - (before or 0)
    run.writes_per_s = run.writes_accepted / load.seconds


def import_rows(base: str, app: Any, run: Run) -> None:
    from tracker.extensions import db
    from tracker.models import Action, City, Plan

    with app.app_context():
        actions = db.session.execute(
            sa.select(City.slug, Plan.slug, Action.slug, Plan.started_on)
            .join(Action.plan)
            .join(Plan.city)
            .order_by(Action.id)
            .limit(2000)
        ).all()
        db.session.remove()
    start = max(s for *_r, s in actions if s) + timedelta(days=1)
    days = max((date.today() - start).days, 1)
    lines = ["external_id,action,reported_on,status,percent_complete,note"]
    for i in range(IMPORT_ROWS):
        c, p, a, _s = actions[i % len(actions)]
        lines.append(
            f"bench-import-{i},{c}/{p}/{a},{start + timedelta(days=i % days)},on_track,"
            f"{i % 100},Imported row {i}"
        )
    content = ("\n".join(lines) + "\n").encode()
    session = sign_in(base)
    page = session.get(base + "/import", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    began = time.perf_counter()
    preview = session.post(
        base + "/import",
        data={"kind": "progress", "csrf_token": token.group(1) if token else ""},
        files={"file": ("bench.csv", content, "text/csv")},
        timeout=600,
    )
    run.preview_s = time.perf_counter() - began
    if preview.status_code != 200 or "/apply" not in preview.text:
        run.import_status = f"preview answered {preview.status_code}"
        return
    form = preview.text.split('action="/import/', 1)[1]
    batch = form.split("/apply", 1)[0]
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form.split("</form>", 1)[0]):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value:
            fields[name.group(1)] = value.group(1)
    began = time.perf_counter()
    applied = session.post(
        f"{base}/import/{batch}/apply", data=fields, allow_redirects=False, timeout=600
    )
    run.apply_s = time.perf_counter() - began
    run.import_status = "applied" if applied.status_code == 302 else f"{applied.status_code}"


def measure(kind: str, label: str, cities: int, seconds: int, folder: Path) -> Run:
    run = Run(kind, label)
    with database(kind, cities, folder) as url:
        print(f"  {kind}, {label}: building the data...", file=sys.stderr, flush=True)
        app, run.cities, run.updates = fill(url, cities)
        queries = count_queries(app, PAGES + API + [TRIVIAL])
        with gunicorn(url, folder) as (base, process):
            session = sign_in(base)
            cookie = f"Cookie: {cookie_header(session)}"
            for address in [TRIVIAL, *PAGES, *API]:
                print(f"  {kind}, {label}: {address}", file=sys.stderr, flush=True)
                session.get(base + address, timeout=60)  # warm the cache, as a visit would
                result = Measure(address)
                load = wrk(base + address, seconds, [cookie], "")
                result.rps, result.p50_ms, result.p95_ms = load.rps, load.p50_ms, load.p95_ms
                result.failed = load.failed
                result.queries_cold, result.queries_cached, result.cold_ms = queries[address]
                result.html_kb, result.first_kb, result.second_kb = visits(session, base, address)
                if address in PAGES and not lighthouse.missing():
                    result.lighthouse, result.lighthouse_kb = lighthouse.score(
                        base + address, cookie_header(session)
                    )
                run.measures.append(result)
            run.lighthouse_note = lighthouse.missing() or ""
            print(f"  {kind}, {label}: dashboards under writes", file=sys.stderr, flush=True)
            token, ids = mixed.writer_token(app)
            for result in run.measures:
                if result.address in PAGES:
                    with mixed.writing(base, token, ids):
                        result.p95_writing_ms = wrk(
                            base + result.address, seconds, [cookie], ""
                        ).p95_ms
            print(f"  {kind}, {label}: progress logging", file=sys.stderr, flush=True)
            log_progress(base, app, seconds, run)
            print(f"  {kind}, {label}: importing", file=sys.stderr, flush=True)
            import_rows(base, app, run)
            run.memory_mb = worker_memory(process.pid)
        window = {"TRACKER_PAGE_STALE_SECONDS": str(mixed.STALE_SECONDS)}
        with gunicorn(url, folder, env=window) as (windowed, _process):
            print(f"  {kind}, {label}: under writes, pages may lag", file=sys.stderr, flush=True)
            cookie = cookie_header(sign_in(windowed))
            pages = [m for m in run.measures if m.address in PAGES]
            found = mixed.p95s(
                windowed,
                cookie,
                [m.address for m in pages],
                token,
                ids,
                lambda url: wrk(url, seconds, [f"Cookie: {cookie}"], "").p95_ms,
            )
            for result, p95 in zip(pages, found, strict=True):
                result.p95_window_ms = p95
        with gunicorn(url, folder, "bench.bare:app") as (bare, _process):
            run.bare_rps = wrk(bare + TRIVIAL, seconds, [], "").rps
        with app.app_context():
            from tracker.extensions import db

            db.engine.dispose()
    return run


def table(run: Run) -> str:
    trivial = next(m for m in run.measures if m.address == TRIVIAL).rps or 1.0
    lines = [
        f"{run.database}, {run.size}: {run.cities:,} cities, {run.updates:,} progress updates",
        "",
        "| address | req/s | p50 ms | p95 ms | share of /livez | share of bare Flask "
        "| cold render ms | queries (fresh / cached) | HTML kB | 1st visit kB | 2nd visit kB "
        f"| p95 ms under {mixed.WRITES_PER_SECOND} writes/s (ratio) "
        f"| p95 ms without / under writes, pages up to {mixed.STALE_SECONDS} s behind (ratio) "
        "| Lighthouse mobile (kB) | failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    bare = run.bare_rps or 1.0
    for m in run.measures:
        scored = f"{m.lighthouse:.2f} ({m.lighthouse_kb:,.0f})" if m.lighthouse is not None else "-"
        ratio = m.p95_writing_ms / m.p95_ms if m.p95_ms else 0
        writing = f"{m.p95_writing_ms:.1f} ({ratio:.1f})" if m.p95_writing_ms else "-"
        lag = "-"
        if m.p95_window_ms:
            alone, under = m.p95_window_ms
            lag = f"{alone:.1f} / {under:.1f} ({under / alone if alone else 0:.1f})"
        lines.append(
            f"| {m.address} | {m.rps:,.0f} | {m.p50_ms:.1f} | {m.p95_ms:.1f} "
            f"| {m.rps / trivial:.2f} | {m.rps / bare:.2f} | {m.cold_ms:.0f} "
            f"| {m.queries_cold} / {m.queries_cached} "
            f"| {m.html_kb:.1f} | {m.first_kb:,.0f} | {m.second_kb:.1f} | {writing} | {lag} "
            f"| {scored} "
            f"| {m.failed} |"
        )
    lines += [
        "",
        f"a bare Flask app under the same gunicorn: {run.bare_rps:,.0f} req/s; the app's "
        f"/livez is {trivial / bare:.2f} of it",
        *([f"Lighthouse: not run ({run.lighthouse_note})"] if run.lighthouse_note else []),
        "workers' peak memory: " + ", ".join(f"{mb:.0f} MB" for mb in run.memory_mb),
        f"progress logging (POST): {run.writes_per_s:,.0f} accepted writes/s; "
        f"{run.writes_accepted:,} accepted, {run.writes_stored:,} stored "
        f"({in_flight(run)}), {run.writes_refused:,} refused",
        f"import of {IMPORT_ROWS:,} progress rows: preview {run.preview_s:.1f} s, apply "
        f"{run.apply_s:.1f} s ({IMPORT_ROWS / run.apply_s if run.apply_s else 0:,.0f} rows/s), "
        f"{run.import_status}",
        "",
    ]
    return "\n".join(lines)


def in_flight(run: Run) -> str:
    """Stored against accepted: wrk counts only what was answered before it stopped, so up to
    its 8 connections' writes may be stored unanswered; fewer stored than accepted is a loss."""
    extra = run.writes_stored - run.writes_accepted
    if extra < 0:
        return f"{-extra} accepted writes LOST"
    return f"{extra} of them in flight when wrk stopped" if extra else "every one answered"


def growth(runs: list[Run]) -> str:
    """From the seed to the largest size: each address's p95 and queries."""
    by_db: dict[str, list[Run]] = {}
    for run in runs:
        by_db.setdefault(run.database, []).append(run)
    lines = []
    for kind, sized in by_db.items():
        if len(sized) < 2:
            continue
        first, last = sized[0], sized[-1]
        lines += [
            f"{kind}: {first.size} to {last.size}",
            "",
            "| address | p95 ms | p95 ratio | cold render ms | cold ratio | queries "
            "| HTML kB (largest) |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for a, b in zip(first.measures, last.measures, strict=True):
            ratio = b.p95_ms / a.p95_ms if a.p95_ms else 0
            cold = b.cold_ms / a.cold_ms if a.cold_ms else 0
            lines.append(
                f"| {a.address} | {a.p95_ms:.1f} to {b.p95_ms:.1f} | {ratio:.2f} "
                f"| {a.cold_ms:.0f} to {b.cold_ms:.0f} | {cold:.1f} "
                f"| {a.queries_cold} to {b.queries_cold} | {b.html_kb:.1f} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the seed size, 2 s per address")
    parser.add_argument("--seconds", type=int, help="wrk's run per address (default 2 or 10)")
    parser.add_argument("--sizes", help="comma-separated: seed,1000,10000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    seconds = args.seconds or (2 if args.quick else 10)
    if args.sizes:
        wanted = args.sizes.split(",")
        sizes = [(k, v) for k, v in SIZES.items() if str(v) in wanted or k in wanted]
    else:
        sizes = [("seed", 0)] if args.quick else list(SIZES.items())
    kinds = args.databases.split(",")
    if "postgresql" in kinds and not postgres_reachable():
        print(f"PostgreSQL does not answer at {postgres_admin_url()}: SQLite only.\n")
        kinds.remove("postgresql")
    started = time.perf_counter()
    print(f"bench.run {date.today()}, {os.cpu_count()} CPUs, wrk -t2 -c8 -d{seconds}s\n")
    runs = []
    with tempfile.TemporaryDirectory(prefix="icc-bench-") as scratch:
        for kind in kinds:
            for label, cities in sizes:
                folder = Path(scratch) / f"{kind}-{cities}"
                folder.mkdir()
                run = measure(kind, label, cities, seconds, folder)
                runs.append(run)
                print(table(run), flush=True)
    print(growth(runs))
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
