"""End to end in a real browser: an editor logs progress. (Every page, drawn and checked in
both languages and at every width, is in test_accessibility.py.)"""

from __future__ import annotations

from tests.browser.conftest import shoot


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
    assert "Progress logged" in page.inner_text(".flash")
    assert "<b>Roof survey</b> finished" in page.inner_text(".history")
    shoot(page, screenshot_dir / "editor-logged-progress.png", full_page=True)
    assert [p for p in problems if "400" not in p] == []


def test_a_second_visit_downloads_only_the_page(signed_in, live_server):
    """In Chromium: the first dashboard fetches plotly.js compressed (at most 1.5 MB on the
    wire); the next one takes every script and style from the browser's cache."""
    page, problems = signed_in("lead")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    responses: dict[str, dict] = {}
    wire: dict[str, int] = {}
    cdp.on("Network.responseReceived", lambda e: responses.__setitem__(e["requestId"], e))
    cdp.on(
        "Network.loadingFinished",
        lambda e: wire.__setitem__(e["requestId"], e["encodedDataLength"]),
    )

    def visit(address: str) -> dict[str, tuple[int, bool]]:
        responses.clear()
        wire.clear()
        page.goto(live_server + address)
        page.wait_for_selector(".chart[data-drawn]")
        cdp.send("Network.disable")  # every event of the visit has arrived
        cdp.send("Network.enable")
        return {
            e["response"]["url"].removeprefix(live_server): (
                wire.get(key, 0),
                e["response"].get("fromDiskCache", False)
                or e["response"].get("fromMemoryCache", False),
            )
            for key, e in responses.items()
        }

    first = visit("/")
    plotly = [(size, cached) for url, (size, cached) in first.items() if "plotly" in url]
    assert len(plotly) == 1
    assert 0 < plotly[0][0] <= 1_500_000, plotly
    second = visit("/cohort")
    static = {url: seen for url, seen in second.items() if url.startswith("/static/")}
    assert any("plotly" in url for url in static), second
    # From the cache: nothing on the wire for any script, style or icon.
    assert all(cached or size == 0 for size, cached in static.values()), static
    assert problems == []
