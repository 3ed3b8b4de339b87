"""In Chromium, in German and in English: an editor types an indicator's baseline, target and
values the way the language writes numbers, and exactly those numbers are stored (read back
through the API); an unusual value is refused with its plausible range, then stored once the
editor ticks that it is correct."""

from __future__ import annotations

import pytest

from tests.browser.conftest import shoot

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

CASES = {
    # language: (browser locale, baseline, target, values typed, the same as stored)
    "de": ("de-DE", "50", "2.000", ["55,5", "1.234,5"], [55.5, 1234.5]),
    "en": ("en-GB", "50", "2,000", ["55.5", "1,234.5"], [55.5, 1234.5]),
}
WORDS = {
    "de": {"add": "Indikator hinzufügen", "log": "Fortschritt melden", "range": "von 5 bis"},
    "en": {"add": "Add indicator", "log": "Log progress", "range": "from 5 to"},
}


@pytest.mark.parametrize("lang", ["de", "en"])
def test_numbers_typed_in_the_language_are_stored_exactly(
    browser, live_server, role_states, screenshot_dir, lang
):
    locale, baseline, target, typed, expected = CASES[lang]
    words = WORDS[lang]
    context = browser.new_context(
        locale=locale, viewport={"width": 390, "height": 844}, storage_state=role_states("editor")
    )
    page = context.new_page()
    try:
        page.goto(live_server + "/my")
        page.locator("a[href$='#log']").first.click()
        page.wait_for_selector("#log")
        page.locator(f"a:has-text('{words['add']}')").click()
        name = f"Solar roofs typed in {lang}"
        page.fill("#name", name)
        page.fill("#unit", "kWp")
        page.fill("#baseline_value", baseline)
        page.fill("#target_value", target)
        page.click("#submit")
        page.wait_for_selector("#log")
        action_url = page.url.split("#")[0]
        indicator = page.request.get(live_server + "/api/v1/indicators?limit=500").json()
        found = [i for i in indicator["items"] if i["name"] == name]
        assert len(found) == 1
        assert (found[0]["baseline_value"], found[0]["target_value"]) == (50.0, 2000.0)
        indicator_id = found[0]["id"]

        for value in typed:
            page.goto(action_url)
            page.select_option("#indicator_id", label=f"{name} (kWp)")
            page.fill("#percent_complete", "30")
            page.fill("#indicator_value", value)
            page.click("#submit")
            # Waits for the answer's page (counting at once may still see the form's page).
            expect(page.locator(".flash")).to_have_count(1)
        values = page.request.get(f"{live_server}/api/v1/indicators/{indicator_id}/values").json()
        assert sorted(v["value"] for v in values["items"]) == expected

        # A slipped separator: ten times and more away from both baseline and target.
        page.goto(action_url)
        page.select_option("#indicator_id", label=f"{name} (kWp)")
        page.fill("#percent_complete", "30")
        page.fill("#indicator_value", "555000")
        page.click("#submit")
        error = page.inner_text("#indicator_value-error")
        assert words["range"] in error
        shoot(page, screenshot_dir / f"editor-{lang}-390-unusual-value.png", full_page=True)
        page.check("#value_confirmed")
        page.click("#submit")
        expect(page.locator(".flash")).to_have_count(1)
        values = page.request.get(f"{live_server}/api/v1/indicators/{indicator_id}/values").json()
        assert sorted(v["value"] for v in values["items"]) == [*expected, 555000.0]
    finally:
        context.close()
