"""End to end in a real browser: an editor logs progress. (Every page, drawn and checked in
both languages and at every width, is in test_accessibility.py.)"""

from __future__ import annotations


def test_editor_logs_progress_in_the_browser(signed_in, live_server, screenshot_dir):
    page, problems = signed_in("editor")
    page.goto(live_server + "/my")
    page.locator("a:has-text('Log progress')").first.click()
    page.fill("#percent_complete", "101")
    page.click("#submit")
    assert "Give a whole number from 0 to 100." in page.inner_text("#percent_complete-error")
    page.fill("#percent_complete", "35")
    page.fill("#note", "<b>Roof survey</b> finished")
    page.click("#submit")
    assert "Progress logged." in page.inner_text(".flash")
    assert "<b>Roof survey</b> finished" in page.inner_text(".history")
    page.screenshot(path=str(screenshot_dir / "editor-logged-progress.png"), full_page=True)
    assert [p for p in problems if "400" not in p] == []
