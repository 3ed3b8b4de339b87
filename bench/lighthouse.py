"""Lighthouse's mobile performance score for a page (its default: a mid-range phone on a slow
4G network, simulated), and the kB it counted, when Chromium and Lighthouse are here:

    npm ci --prefix bench/lighthouse      # Lighthouse 12, pinned (it runs on Node 20)

`bench.run` adds a column for each dashboard; on its own:

    .venv/bin/python -m bench.lighthouse http://127.0.0.1:5000/public/ [COOKIE]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

LIGHTHOUSE = Path(__file__).resolve().parent / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)


def missing() -> str | None:
    """Why Lighthouse cannot run here, or None."""
    if shutil.which("chromium") is None:
        return "Chromium is not installed (Debian: apt-get install chromium)"
    if not LIGHTHOUSE.exists():
        return "Lighthouse is not installed (npm ci --prefix bench/lighthouse)"
    return None


def score(url: str, cookie: str | None = None) -> tuple[float, float]:
    """(performance score 0 to 1, kB transferred) for `url` as a phone's first visit."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--only-categories=performance",
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CHROME_PATH": shutil.which("chromium") or ""},
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url}: {result.stderr.strip()[-500:]}")
    report = json.loads(result.stdout)
    performance = report["categories"]["performance"]["score"] or 0.0
    transferred = report["audits"]["total-byte-weight"]["numericValue"] / 1024
    return float(performance), float(transferred)


if __name__ == "__main__":
    reason = missing()
    if reason:
        raise SystemExit(reason)
    points, kb = score(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
    print(f"{sys.argv[1]}: performance {points:.2f}, {kb:.0f} kB")
