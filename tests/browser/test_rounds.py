"""In Chromium, on a phone: a lead opens a reporting round; Dortmund's editor, in German,
reports several rows in one sheet: a bad row stores nothing and is marked beside the row, then
the corrected sheet is stored at once (a German decimal comma read as such); the lead closes
the round, and its hash is the one the public view shows."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.browser.conftest import shoot
from tests.browser.test_accessibility import AXE, serious_violations

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

PHONE = {"width": 390, "height": 844}


def test_a_city_reports_a_round_in_one_sheet_and_the_closed_rounds_hash_is_public(
    browser, live_server, role_states, screenshot_dir
):
    lead = browser.new_context(viewport=PHONE, storage_state=role_states("lead"))
    # bypass_csp: the accessibility check's script is put into the page (as test_accessibility)
    editor = browser.new_context(
        locale="de-DE", viewport=PHONE, storage_state=role_states("editor"), bypass_csp=True
    )
    try:
        page = lead.new_page()
        page.goto(live_server + "/rounds/new")
        page.fill("#name", "Browser round")
        page.fill("#period_start", "2025-01-01")
        page.fill("#period_end", "2025-12-31")
        page.fill("#due_on", "2026-01-31")
        page.fill("#cities", "Dortmund")
        page.click("#submit")
        expect(page.locator(".flash")).to_have_count(1)
        round_url = page.url

        sheet = editor.new_page()
        sheet.goto(live_server + "/rounds")
        sheet.locator("#own-round a").click()
        expect(sheet.locator("h1")).to_contain_text("Browser round")
        if AXE.exists():  # installed by make test; without npm the accessibility tests skip
            assert serious_violations(sheet, AXE.read_text(encoding="utf-8")) == []
        rows = sheet.locator("#sheet-action tbody tr")
        first, second = (rows.nth(i).get_attribute("id") for i in (0, 1))
        value = sheet.locator("#sheet-indicator tbody tr").first.get_attribute("id")
        sheet.select_option(f"#{first}-status", "done")
        sheet.fill(f"#{first}-percent", "50")  # done is 100 percent: refused
        sheet.select_option(f"#{second}-status", "on_track")
        sheet.fill(f"#{second}-percent", "40")
        sheet.fill(f"#{value}-value", "12,5")
        sheet.locator("button[type=submit]").last.click()
        expect(sheet.locator("#error-summary")).to_contain_text("Nichts wurde gespeichert")
        expect(sheet.locator(f"tr#{first}.has-error")).to_have_count(1)
        expect(sheet.locator(f"#{value}-value")).to_have_value("12,5")  # what was typed stays
        shoot(sheet, screenshot_dir / "round-sheet-de-390-refused.png", full_page=True)
        indicator_id = int(value.split("-")[1])
        values = sheet.request.get(f"{live_server}/api/v1/indicators/{indicator_id}/values")
        before = len(values.json()["items"])

        sheet.fill(f"#{first}-percent", "100")
        sheet.locator("button[type=submit]").last.click()
        expect(sheet.locator(".flash")).to_contain_text("3 Meldungen in Browser round gespeichert")
        values = sheet.request.get(f"{live_server}/api/v1/indicators/{indicator_id}/values")
        stored = [v for v in values.json()["items"] if v["measured_on"] == date.today().isoformat()]
        assert len(values.json()["items"]) == before + 1
        assert [v["value"] for v in stored][-1] == 12.5

        page.goto(round_url)
        page.locator("button:has-text('Close the round')").click()
        expect(page.locator(".flash")).to_have_count(1)
        content_hash = page.inner_text("#content-hash")
        assert re.fullmatch(r"[0-9a-f]{64}", content_hash)
        public = browser.new_context(viewport=PHONE).new_page()
        public.goto(live_server + "/public/rounds")
        assert public.inner_text("#content-hash") == content_hash
        public.context.close()
    finally:
        lead.close()
        editor.close()
