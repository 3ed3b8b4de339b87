"""A live server on a database of its own (facts and demo data), and Debian's Chromium driven
by Playwright. Skipped, with the reason, where either is missing."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import build_app, fresh_database, served
from tests.factories import PASSWORD, make_user
from tests.mail_server import smtp_server

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    path = shutil.which("chromium")
    if not path:
        pytest.skip("Chromium is not installed (Debian package: chromium)")
    return path


@pytest.fixture(scope="session")
def live_inbox():
    """A real SMTP server on loopback that the live server sends its mail to."""
    with smtp_server() as (inbox, port):
        inbox.port = port
        yield inbox


# One live server per test module: a module that writes (a correction, a review, hostile names)
# never changes the pages another module reads, whichever worker runs which test when.
@pytest.fixture(scope="module")
def live_server(backend, tmp_path_factory, chromium_path, live_inbox) -> Iterator[str]:
    with fresh_database(backend, tmp_path_factory) as url:
        app = build_app(url, tmp_path_factory.mktemp("live-instance"), demo=True)
        app.config["PUBLIC_PAGES"] = True  # the public view is checked in the browser too
        app.config["REVIEW"] = "required"  # as it is by default with the public view on
        app.config["MAIL_URL"] = f"smtp://127.0.0.1:{live_inbox.port}"
        with app.app_context():
            make_user("lead", email="lead@example.org")
            make_user("editor", city="dortmund", email="editor@example.org")
            make_user("admin", email="admin@example.org")
        with served(app) as address:
            yield address


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshot_dir(backend) -> Path:
    """A folder named after this run, where every browser test leaves its screenshots."""
    root = Path(
        os.environ.get("TRACKER_SCREENSHOT_DIR", PROJECT / "test-artifacts" / "screenshots")
    )
    folder = root / f"{time.strftime('%Y%m%d-%H%M%S')}-{backend}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


USERS = {"lead": "lead@example.org", "editor": "editor@example.org"}
ADMIN = "admin@example.org"


@pytest.fixture(scope="module")
def role_states(browser, live_server):
    """Each role signs in once per server; every test opens a fresh context with its cookies."""
    states: dict[str, object] = {}

    def state_of(role: str):
        if role not in states:
            context = browser.new_context()
            page = context.new_page()
            page.goto(live_server + "/auth/login")
            page.fill("#email", USERS[role])
            page.fill("#password", PASSWORD)
            page.click("#submit")
            page.wait_for_url(live_server + "/")
            states[role] = context.storage_state()
            context.close()
        return states[role]

    return state_of


@pytest.fixture(scope="module")
def admin_state(browser, live_server):
    """The admin's signed-in cookies, for the account pages."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server + "/auth/login")
    page.fill("#email", ADMIN)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(live_server + "/")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def signed_in(browser, live_server, role_states):
    """open_as(role): a blank page of a new browser context, signed in as that role, and the
    list where the page's console errors, script errors and failed requests are collected."""

    def open_as(role: str):
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, storage_state=role_states(role)
        )
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        # A request the browser itself abandons on navigation (net::ERR_ABORTED) is no fault.
        page.on(
            "requestfailed",
            lambda r: (
                problems.append(f"{r.url}: {r.failure}")
                if "ABORTED" not in (r.failure or "")
                else None
            ),
        )
        contexts.append(context)
        return page, problems

    contexts: list = []
    yield open_as
    for context in contexts:
        context.close()


def shoot(page, path, *, full_page: bool = False) -> None:
    """Leave a screenshot of the page. A screenshot is a record for people, not a check: on a
    loaded machine Chromium has once taken more than the default 30 s to give one after a
    resize, so it gets longer and a second try before the test fails."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.screenshot(path=str(path), full_page=full_page, timeout=60_000)
    except PlaywrightTimeout:
        page.wait_for_timeout(1000)
        page.screenshot(path=str(path), full_page=full_page, timeout=60_000)


# Each chart is drawn as it comes near the screen (static/js/charts.js): scroll to each in turn,
# as a reader would, letting the browser see it, then back to the top.
_VISIT_EVERY_CHART = """async () => {
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  for (const chart of document.querySelectorAll('.chart')) {
    chart.scrollIntoView({block: 'center'});
    await frames();
  }
  window.scrollTo(0, 0);
  await frames();
}"""


def draw_every_chart(page) -> int:
    """Bring every chart of the page into view and wait until each is drawn (an empty one
    says so in its place); the number of charts."""
    page.wait_for_load_state("load")
    expected = page.locator("script[data-chart]").count()
    if expected:
        page.evaluate(_VISIT_EVERY_CHART)
        page.wait_for_function(
            "n => document.querySelectorAll('.chart[data-drawn=true]').length === n", arg=expected
        )
    return expected
