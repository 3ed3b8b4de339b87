"""Every page in Chromium, as a lead, an editor, an admin and anyone (the public view), in English
and in German: each chart is drawn with data and nothing goes wrong in the console; axe-core
finds no serious or critical WCAG 2.1 AA violation at 390 px (the editor checks its own pages
and those with its forms, the lead all the others), nor at 1280 px on the first page of each
(the header and frame all pages share); at 320, 390, 768 and 1280 px no page is wider than the
window, and in each of the stylesheet's two layouts (at 320 and 1280 px) no word of a table cell
or heading is broken across two lines; on a 390 x 844 phone the header is one line and the
page's own heading starts in the upper third of the screen; each leaves screenshots at 390 and
1280 px, and the overview and the city page their print rendering. A keyboard alone gets from
signing in to a saved progress update, and opens and closes the phone's menu."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import USERS, draw_every_chart, shoot
from tests.factories import PASSWORD

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {
    "overview": "/",
    "cohort": "/cohort",
    "mentorships": "/mentorships",
    "milestones": "/milestones",
    "cities": "/cities",
    "city": "/cities/dortmund",
    "climate": "/cities/dortmund/climate",
    "readiness": "/cities/dortmund/readiness",
    "rounds": "/rounds",
    "account": "/auth/password",
    "exports": "/exports",
    "import": "/import",
    "api": "/api/v1/docs",
}
# Pages of one record each, found through the links of Dortmund's page.
RECORD_LINKS = {
    "plan": "a[href^='/plans/']",
    "action": "a[href^='/actions/']",
    "milestone": "a[href^='/milestones/']",
}
EDITOR_PAGES = {"my-city": "/my"}
LEAD_PAGES = {
    "audit": "/admin/audit",
    "at-risk": "/actions?attention=risky",
    "stale": "/actions?attention=stale",
}
ADMIN_PAGES = {"accounts": "/admin/users"}
PUBLIC_PAGES = {
    "public-overview": "/public/",
    "public-cohort": "/public/cohort",
    "public-city": "/public/cities/dortmund",
    "public-pescara": "/public/cities/pescara",
    "public-round": "/public/rounds",
}
LANGUAGES = {"en": "en-GB", "de": "de-DE"}
NARROW = (768, 390, 320)
# The stylesheet has two layouts (a phone's up to 48rem, a desk's above): words are looked at in
# each, at its narrowest phone and at a desk.
LAYOUT_WIDTHS = (320, 1280)
BROKEN_WORDS = (Path(__file__).parent / "js" / "broken_words.js").read_text(encoding="utf-8")
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def axe_script() -> str:
    if not AXE.exists():
        if os.environ.get("TRACKER_TEST_REQUIRE_AXE"):
            pytest.fail(f"axe-core is missing ({AXE}); run make test, which installs it with npm")
        pytest.skip("axe-core is not installed (npm ci --prefix tests/browser)")
    return AXE.read_text(encoding="utf-8")


def serious_violations(page, axe_script: str) -> list[str]:
    page.add_script_tag(content=axe_script)
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
               values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def wider_than_window(page) -> int:
    """How many pixels the document is wider than the window (0 when it fits)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


SMALL_TARGETS = """() => [...document.querySelectorAll(
    'button, .button, input:not([type=hidden]), select, textarea, nav a, summary')]
  .filter(el => el.offsetParent !== null)
  .map(el => [el.tagName + (el.id ? '#' + el.id : '') + ' '
                + (el.textContent || '').trim().slice(0, 20), el.getBoundingClientRect()])
  .filter(([, box]) => box.height < 43.5 || box.width < 24)
  .map(([name, box]) => name + ' ' + Math.round(box.width) + 'x' + Math.round(box.height))"""


def broken_words(page) -> list[str]:
    """Words of table cells and headings broken across lines, with every table unfolded."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    return page.evaluate(BROKEN_WORDS)


def heading_top(page) -> float:
    """Where the page's own first-level heading starts, from the top of the window."""
    return page.evaluate("() => document.querySelector('main h1').getBoundingClientRect().top")


def header_lines(page) -> int:
    """How many lines the header's visible items take: one when they all share a line."""
    return page.evaluate(
        """() => { const boxes = [...document.querySelectorAll('.site-header > *')]
             .filter(el => el.offsetParent !== null).map(el => el.getBoundingClientRect());
           const lines = [];
           for (const box of boxes.sort((a, b) => a.top - b.top)) {
             const line = lines.find(l => box.top < l.bottom && box.bottom > l.top);
             if (line) { line.bottom = Math.max(line.bottom, box.bottom); }
             else { lines.push({top: box.top, bottom: box.bottom}); }
           }
           return lines.length; }"""
    )


def read_at_every_width(page, screenshot_dir: Path, label: str) -> list[str]:
    """The checks of one loaded page at a phone's, a tablet's and a desk's width, with a
    screenshot at 390 and 1280 px."""
    found: list[str] = []
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(100)
    if heading_top(page) > PHONE["height"] / 3:
        found.append(f"the heading starts {heading_top(page):.0f} px down a 390 x 844 screen")
    if header_lines(page) != 1:
        found.append(f"the header takes {header_lines(page)} lines on a phone")
    shoot(page, screenshot_dir / f"{label.replace('{width}', '390')}.png")
    for width in (*NARROW, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_timeout(100)  # the charts follow the window's size
        overflow = wider_than_window(page)
        if overflow:
            found.append(f"{overflow} px wider than a {width} px window")
        if width in LAYOUT_WIDTHS:
            found += [f"at {width} px, a word broken: {w}" for w in broken_words(page)]
    # The tables folded again, as a reader finds the page.
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = false; })")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_timeout(100)
    shoot(page, screenshot_dir / f"{label.replace('{width}', '1280')}.png")
    return found


def settle(page) -> None:
    """Wait until the page's charts are drawn, and check that each has data."""
    if draw_every_chart(page):
        traces = page.evaluate(
            "() => [...document.querySelectorAll('.chart')].map(el => (el.data || []).length)"
        )
        assert all(count > 0 for count in traces), (page.url, traces)


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("role", list(USERS))
def test_every_page_passes_axe_and_fits_a_phone(
    browser, live_server, role_states, axe_script, screenshot_dir, role, language
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        storage_state=role_states(role),
        locale=LANGUAGES[language],
        bypass_csp=True,  # to inject axe-core; the app itself allows only its own scripts
    )
    page = context.new_page()
    problems: dict[str, list[str]] = {}
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    # The editor sees the dashboards as the lead does (but for one link of the header): it
    # checks the pages that are its own or hold its forms, the lead all the others.
    pages = {**PAGES, **LEAD_PAGES} if role == "lead" else {**EDITOR_PAGES}
    if role == "editor":
        pages.update({name: PAGES[name] for name in ("city", "account", "import", "overview")})
    try:
        page.goto(live_server + "/cities/dortmund")
        for name, selector in RECORD_LINKS.items():
            pages[name] = page.locator(selector).first.get_attribute("href")
        for number, (name, path) in enumerate(pages.items()):
            # As a phone loads it (the charts then leave out their toolbar)...
            page.set_viewport_size(PHONE)
            page.goto(live_server + path)
            settle(page)
            assert page.get_attribute("html", "lang") == language, name
            found = [f"at 390 px: {v}" for v in serious_violations(page, axe_script)]
            found += [f"small touch target: {t}" for t in page.evaluate(SMALL_TARGETS)]
            # ...at every width, and on a desk.
            found += read_at_every_width(
                page, screenshot_dir, f"{language}-{{width}}-{role}-{name}"
            )
            if number == 0:  # the header and frame every page shares, as a desk shows them
                found += serious_violations(page, axe_script)
            if console:
                found += [f"console: {text}" for text in console]
                console.clear()
            if found:
                problems[name] = found
    finally:
        context.close()
    assert problems == {}


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_sign_in_pages_pass_axe_and_fit_a_phone(browser, live_server, axe_script, language):
    """Signing in, "Forgot your password?" and a refused password link, as anyone sees them."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale=LANGUAGES[language], bypass_csp=True
    )
    page = context.new_page()
    try:
        for path in ("/auth/login", "/auth/forgot", "/auth/set-password/not-a-token"):
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(live_server + path)
            assert page.get_attribute("html", "lang") == language, path
            assert serious_violations(page, axe_script) == [], path
            assert page.evaluate(SMALL_TARGETS) == [], path
            page.set_viewport_size({"width": 320, "height": 700})
            assert wider_than_window(page) == 0, path
    finally:
        context.close()


@pytest.mark.parametrize("name", ["overview", "city"])
def test_the_overview_and_the_city_page_print(signed_in, live_server, screenshot_dir, name):
    page, problems = signed_in("lead")
    page.goto(live_server + PAGES[name])
    settle(page)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.wait_for_timeout(200)
    assert page.locator(".site-header").is_hidden()
    assert page.locator("form").first.is_hidden()
    assert wider_than_window(page) == 0
    shot = screenshot_dir / f"print-{name}.png"
    shoot(page, shot, full_page=True)
    assert shot.stat().st_size > 0
    assert problems == []


def press_tab_until(page, selector: str, limit: int = 60) -> None:
    """Tab forward until the focused element matches `selector`, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never took the focus in {limit} presses of Tab")


def test_a_keyboard_alone_signs_in_and_saves_a_progress_update(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server + "/auth/login")
        press_tab_until(page, "#email")
        page.keyboard.type(USERS["editor"])
        press_tab_until(page, "#password")
        page.keyboard.type(PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == live_server + "/"
        press_tab_until(page, "nav.sections a[href='/my']")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == live_server + "/my"
        press_tab_until(page, "a.log-progress", limit=200)
        with page.expect_navigation():
            page.keyboard.press("Enter")

        # A bad value: focus lands on the summary, whose link leads to the field.
        press_tab_until(page, "#percent_complete", limit=200)
        page.keyboard.press("Control+A")
        page.keyboard.type("150")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "error-summary"
        assert "#percent_complete" in page.inner_html("#error-summary")
        press_tab_until(page, "#error-summary a[href='#percent_complete']", limit=5)
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "percent_complete"
        assert page.input_value("#percent_complete") == "150"  # what was typed is kept

        page.keyboard.press("Control+A")
        page.keyboard.type("60")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Progress logged" in page.inner_text(".flash")
    finally:
        context.close()


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_public_and_the_admin_pages_pass_axe_and_read_at_every_width(
    browser, live_server, admin_state, axe_script, screenshot_dir, language
):
    problems: dict[str, list[str]] = {}
    for who, pages, state in (
        ("anyone", PUBLIC_PAGES, None),
        ("admin", ADMIN_PAGES, admin_state),
    ):
        context = browser.new_context(
            viewport=PHONE, storage_state=state, locale=LANGUAGES[language], bypass_csp=True
        )
        page = context.new_page()
        try:
            for name, path in pages.items():
                if who == "anyone":
                    path += f"?lang={language}"
                page.set_viewport_size(PHONE)
                page.goto(live_server + path)
                settle(page)
                assert page.get_attribute("html", "lang") == language, name
                found = serious_violations(page, axe_script)
                found += read_at_every_width(
                    page, screenshot_dir, f"{language}-{{width}}-{who}-{name}"
                )
                if found:
                    problems[name] = found
        finally:
            context.close()
    assert problems == {}


def test_the_phone_menu_opens_and_closes_by_keyboard(browser, live_server, role_states):
    context = browser.new_context(viewport=PHONE, storage_state=role_states("lead"))
    page = context.new_page()
    try:
        page.goto(live_server + "/cohort")
        button = page.locator(".menu-button")
        assert button.is_visible()
        assert page.inner_text(".site-header .here") == "Cohort"
        assert page.locator("nav.sections").is_hidden()
        press_tab_until(page, ".menu-button", limit=10)
        page.keyboard.press("Enter")
        assert button.get_attribute("aria-expanded") == "true"
        assert page.locator("nav.sections a[href='/milestones']").is_visible()
        assert page.locator(".language-switch button").count() == 1  # one switch, to German
        page.keyboard.press("Escape")
        assert button.get_attribute("aria-expanded") == "false"
        assert page.locator("nav.sections").is_hidden()
        assert page.evaluate("() => document.activeElement.className") == "menu-button"
        page.set_viewport_size({"width": 1280, "height": 900})
        assert button.is_hidden()
        assert page.locator("nav.sections").is_visible()  # a desk shows the sections at once
    finally:
        context.close()
