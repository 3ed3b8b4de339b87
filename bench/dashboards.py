"""How the dashboards' answer time grows with the number of cities.

    .venv/bin/python bench/dashboards.py [--sizes 0,700,7000] [--repeat 5]
    TRACKER_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/bench \
        .venv/bin/python bench/dashboards.py

Builds a fresh database (SQLite in a temporary folder unless TRACKER_BENCH_DATABASE_URL names
an empty one), loads the facts and the demo data, then grows it step by step and times each
page in-process (median of the repeats). Prints a table of milliseconds and of the ratio to the
smallest size. It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from flask_migrate import upgrade

from bench.generate import add_cities
from tracker import create_app
from tracker.database import writing
from tracker.demo import load_demo
from tracker.extensions import db
from tracker.seeding import load_facts
from tracker.services import accounts

PAGES = [
    "/",
    "/cohort",
    "/mentorships",
    "/milestones?state=overdue",
    "/cities",
    "/cities/dortmund",
    "/api/v1/actions?limit=100",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,700,7000", help="extra cities at each step")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    folder = tempfile.mkdtemp(prefix="icc-bench-")
    url = os.environ.get("TRACKER_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": folder,
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            "PAGE_CACHE": False,  # the work of rendering, not of the cache
        }
    )
    with app.app_context(), writing():
        upgrade()
        load_facts(Path(app.config["SEEDS_DIR"]))
        load_demo(Path(app.config["SEEDS_DIR"]))
        accounts.create_user(
            None,
            email="bench@example.org",
            password="bench password 1",  # noqa: S106  (a throwaway database)
            role="lead",
            actor_label="bench",
        )
        db.session.commit()
    client = app.test_client()
    client.post("/auth/login", data={"email": "bench@example.org", "password": "bench password 1"})
    results: dict[str, list[float]] = {page: [] for page in PAGES}
    added = 0
    for size in sizes:
        with app.app_context():
            add_cities(size - added)
            added = size
        for page in PAGES:
            timings = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                response = client.get(page)
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200, (page, response.status_code)
            results[page].append(statistics.median(timings) * 1000)
    cities = [f"+{s} cities" for s in sizes]
    print(f"database: {url.split(':')[0]}; median of {args.repeat} requests, milliseconds")
    print(f"{'page':32}" + "".join(f"{c:>16}" for c in cities) + "   ratio last/first")
    for page, values in results.items():
        ratio = values[-1] / values[0] if values[0] else float("nan")
        print(f"{page:32}" + "".join(f"{v:16.1f}" for v in values) + f"   {ratio:8.2f}")


if __name__ == "__main__":
    main()
