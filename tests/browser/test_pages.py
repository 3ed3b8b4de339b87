"""End to end in a real browser: an editor logs progress. (Every page, drawn and checked in
both languages and at every width, is in test_accessibility.py.)"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import draw_every_chart, shoot


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
    """In Chromium: the first dashboard fetches plotly.js compressed (the bundle of the app's
    trace types: about 0.5 MB on the wire, where the whole plotly.js took 1.5 MB); the next one
    takes every script and style from the browser's cache."""
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
        assert draw_every_chart(page) > 0
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
    assert 0 < plotly[0][0] <= 520_000, plotly
    second = visit("/cohort")
    static = {url: seen for url, seen in second.items() if url.startswith("/static/")}
    assert any("plotly" in url for url in static), second
    # From the cache: nothing on the wire for any script, style or icon.
    assert all(cached or size == 0 for size, cached in static.values()), static
    assert problems == []


def test_plotly_js_comes_only_when_a_chart_nears_the_screen(signed_in, live_server):
    """On a phone, a page whose first screen is text and tables fetches and runs no chart code
    while it loads; scrolling to a chart fetches plotly.js (the bundle of the app's trace
    types) and draws it."""
    page, problems = signed_in("lead")
    page.set_viewport_size({"width": 390, "height": 844})
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(live_server + "/cities/dortmund")
    page.wait_for_load_state("load")
    page.evaluate(  # the observer has looked at every chart by the second frame
        "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
    )
    nearest = page.evaluate(
        "() => Math.min(...[...document.querySelectorAll('.chart')]"
        ".map(c => c.getBoundingClientRect().top)) - window.innerHeight"
    )
    assert nearest > 300, "the page's first screen should hold no chart for this test"
    assert not [url for url in fetched if "plotly" in url]
    assert page.evaluate("() => typeof window.Plotly") == "undefined"
    page.locator(".chart").first.scroll_into_view_if_needed()
    expect(page.locator(".chart[data-drawn=true]").first).to_be_visible()
    assert len([url for url in fetched if "/js/plotly.min." in url]) == 1
    traces = page.evaluate("() => Object.keys(Plotly.PlotSchema.get().traces).sort()")
    assert traces == ["bar", "box", "heatmap", "scatter", "scattergeo"]
    assert problems == []
