"""End to end in a real browser: sign in as a lead and as an editor, open every dashboard,
find each chart drawn with data and no error in the console, and keep a screenshot."""

from __future__ import annotations

import pytest

from tests.browser.conftest import USERS

PAGES = {
    "overview": "/",
    "cohort": "/cohort",
    "mentorships": "/mentorships",
    "milestones": "/milestones",
    "cities": "/cities",
    "city": "/cities/dortmund",
    "climate": "/cities/dortmund/climate",
}


@pytest.mark.parametrize("role", list(USERS))
@pytest.mark.parametrize("name", list(PAGES))
def test_page_draws_its_charts_without_errors(signed_in, live_server, screenshot_dir, role, name):
    page, problems = signed_in(role)
    page.goto(live_server + PAGES[name])
    page.wait_for_load_state("networkidle")
    expected = page.locator("script[data-chart]").count()
    if expected:
        page.wait_for_function(
            "n => document.querySelectorAll('.chart[data-drawn=true]').length === n", arg=expected
        )
        traces = page.evaluate(
            "() => [...document.querySelectorAll('.chart')].map(el => (el.data || []).length)"
        )
        assert all(count > 0 for count in traces), traces
        assert page.locator(".js-plotly-plot .main-svg").count() >= expected
    shot = screenshot_dir / f"{role}-{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    assert problems == []


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
