"""In a real browser: an editor corrects a report and sees it take its place, marked, with the
present unchanged; a double click stores one report; a reload after an error goes back to the
form; a conflict page applies the person's values in one step."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import draw_every_chart, shoot

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect


def open_settled(page, url: str, tries: int = 3) -> None:
    """Open `url`; a navigation the browser aborts for one of the page's own (a form sent by
    the second of two clicks, landing late) is opened again, up to `tries` times."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(1, tries + 1):
        try:
            page.goto(url)
            page.wait_for_load_state("load")
            return
        except PlaywrightError as error:
            if "ERR_ABORTED" not in str(error) or attempt == tries:
                raise
            page.wait_for_load_state("networkidle")


def open_measure(page, live_server):
    page.goto(live_server + "/my")
    page.locator("a:has-text('Log progress')").first.click()
    page.wait_for_selector("#log")
    return page.url.split("#")[0]


def test_a_correction_takes_its_place_and_keeps_the_present(
    signed_in,
    live_server,
    screenshot_dir,
):
    page, problems = signed_in("editor")
    url = open_measure(page, live_server)
    # Each step waits for the page its click leads to (a click does not wait for the next
    # page): read too early, the form or the figures are the previous page's.
    page.fill("#reported_on", "2024-06-01")
    page.fill("#percent_complete", "40")
    page.click("#submit")
    june = page.locator(".history li", has_text="1 Jun 2024").filter(has_text="40\u00a0%").first
    expect(june).to_be_visible()
    page.fill("#reported_on", "2024-09-01")
    page.fill("#percent_complete", "60")
    page.click("#submit")
    expect(page.locator(".facts dd").first).to_contain_text("60\u00a0%")
    # Correct the June report: the form opens pre-filled, the date is kept.
    june.locator("a:has-text('Correct this report')").click()
    expect(page).to_have_url(re.compile(r"/updates/\d+/correct$"))
    expect(page.locator("#percent_complete")).to_have_value("40")
    assert page.locator("#reported_on").count() == 0
    page.fill("#percent_complete", "45")
    page.fill("#note", "June counted one roof twice")
    page.click("#submit")
    expect(page.locator(".flash")).to_contain_text("Correction saved")
    expect(page.locator(".facts dd").first).to_contain_text("60\u00a0%")  # September's
    corrected = page.locator(".history li.corrected", has_text="June counted one roof twice")
    expect(corrected).to_have_count(1)
    corrected.locator("a:has-text('See the correction')").click()
    expect(page).to_have_url(re.compile(r"#update-\d+$"))
    shoot(page, screenshot_dir / "editor-correction.png", full_page=True)
    assert page.url.startswith(url)
    assert [p for p in problems if "400" not in p] == []


def test_a_double_click_stores_one_report_and_a_reload_after_an_error_shows_the_form(
    signed_in,
    live_server,
):
    page, _problems = signed_in("editor")
    open_measure(page, live_server)
    before = page.locator(".history > li").count()
    page.fill("#reported_on", "2024-10-01")
    page.fill("#percent_complete", "61")
    page.locator("#submit").dblclick()
    page.wait_for_load_state("networkidle")
    # The second click's own navigation may still be landing: open the page afresh once the
    # browser has settled, as a person would (a navigation it aborts is tried again).
    action_page = page.url.split("#")[0].removesuffix("/progress")
    open_settled(page, action_page)
    assert page.locator(".history > li").count() == before + 1
    # An error, then opening the address of the page that showed it: back to the form, not
    # a 405 (a reload re-sends the form, and is answered with the form and its error again).
    page.fill("#percent_complete", "150")
    page.click("#submit")
    expect(page.locator("#percent_complete-error")).to_have_count(1)  # waits for the answer
    assert page.url.endswith("/progress")
    response = page.goto(page.url)
    assert response.status == 200
    assert page.locator("#log").count() == 1


def test_a_conflict_applies_my_values_in_one_step(signed_in, live_server):
    mine, _p1 = signed_in("lead")
    other, _p2 = signed_in("editor")
    open_measure(other, live_server)
    edit = other.url.split("#")[0] + "/edit"
    mine.goto(edit)
    other.goto(edit)
    other.fill("#title", "Changed by the editor")
    other.click("#submit")
    expect(other.locator(".flash")).to_have_count(1)  # the editor's change is stored first
    mine.fill("#title", "Changed by the lead")
    mine.click("#submit")
    expect(mine.locator("table.conflict")).to_contain_text("Changed by the editor")
    assert "Your values beside what the record holds now" in mine.inner_text("main")
    mine.click("text=Apply my values to the current version")
    expect(mine.locator("h1")).to_contain_text("Changed by the lead")


def test_markup_in_an_indicator_is_drawn_as_text_in_its_chart(signed_in, live_server):
    page, problems = signed_in("editor")
    open_measure(page, live_server)
    page.click("text=Add indicator")
    hostile = '<a href="https://evil.example">U</a>'
    page.fill("#name", "Roofs <b>bold</b> %{y}")
    page.fill("#unit", hostile)
    page.click("#submit")
    expect(page.locator(".flash")).to_have_count(1)  # the answer's page, not the form's
    # Two values, so that the indicator is drawn (a single one is said as a number).
    for day, value in (("2024-10-01", "11"), ("2024-11-01", "12")):
        reports = page.locator(".history > li").count()
        page.select_option("#indicator_id", label=f"Roofs <b>bold</b> %{{y}} ({hostile})")
        page.fill("#indicator_value", value)
        page.fill("#reported_on", day)
        page.fill("#percent_complete", "62")
        page.click("#submit")
        expect(page.locator(".history > li")).to_have_count(reports + 1)  # the answer's page
    page.goto(live_server + "/cities/dortmund")
    assert draw_every_chart(page) > 0
    links = page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot a')].map(a => a.getAttribute('href'))"
    )
    assert not any("evil.example" in (href or "") for href in links)
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot text')].map(t => t.textContent)"
    )
    assert hostile in drawn  # the axis title shows the unit as typed
    assert not any(t == "bold" for t in drawn)
    assert [p for p in problems if "400" not in p] == []
