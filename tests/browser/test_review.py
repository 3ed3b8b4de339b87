"""In a real browser: an editor submits a report, a lead approves it from the review queue on
a phone-sized screen, and the public page changes only then."""

from __future__ import annotations

import re

from tests.browser.conftest import shoot
from tests.browser.test_history import open_measure

PHONE = {"width": 390, "height": 844}
WIDER_THAN_THE_WINDOW = """() => [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
    .map(el => el.tagName + ' ' + Math.round(el.getBoundingClientRect().right) + ' '
               + el.innerText.slice(0, 60))
    .slice(0, 8)"""


def public_row(browser, live_server, title: str) -> str:
    """The action's row on Dortmund's public page, as a new visitor sees it (public pages may
    be kept by a browser for a few minutes, so each look is a fresh one)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(live_server + "/public/cities/dortmund")
        return page.locator("tr", has_text=title).first.inner_text()
    finally:
        context.close()


def test_an_editor_submits_a_lead_approves_on_a_phone_and_the_public_page_changes(
    browser, signed_in, live_server, role_states, screenshot_dir
):
    editor, problems = signed_in("editor")
    url = open_measure(editor, live_server)
    title = editor.inner_text("h1").strip()
    before = public_row(browser, live_server, title)
    editor.goto(url)
    editor.fill("#percent_complete", "73")
    editor.fill("#note", "Seventy-three per cent, counted by the energy agency")
    editor.click("#submit")
    assert "A reviewer checks each report" in editor.inner_text("#log")
    mine = editor.locator(".history li", has_text="Seventy-three per cent").first
    assert "awaiting review" in mine.inner_text().lower()
    assert public_row(browser, live_server, title) == before

    context = browser.new_context(viewport=PHONE, storage_state=role_states("lead"))
    lead = context.new_page()
    try:
        lead.goto(live_server + "/review?city=dortmund&kind=progress")
        item = lead.locator(".review-item", has_text="Seventy-three per cent").first
        assert "73" in item.inner_text()
        box = item.locator("input[type=checkbox]")
        assert box.bounding_box()["width"] >= 20  # a thumb can tick it
        box.check()
        shoot(lead, screenshot_dir / "review-queue-phone.png")
        lead.locator("input[name=approve]").click()
        assert re.search(r"1 report approved", lead.inner_text(".flash"))
        # Nothing of the page is wider than the phone.
        wide = lead.evaluate(WIDER_THAN_THE_WINDOW)
        assert wide == []
    finally:
        context.close()
    assert "73" in public_row(browser, live_server, title)
    editor.goto(url)
    mine = editor.locator(".history li", has_text="Seventy-three per cent").first
    assert "approved by lead@example.org" in mine.inner_text()
    assert problems == []
