"""plotly.js as the app serves it: a bundle of exactly the trace types the charts draw, built
at install from the npm registry's plotly.js (pinned by tracker/assets/plotly's lockfile)."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from tracker import assets
from tracker.config import PROJECT_ROOT

ENTRY = PROJECT_ROOT / "tracker" / "assets" / "plotly" / "entry.js"


def drawn_kinds() -> set[str]:
    """The trace types the charts build (tracker/charts: trace("kind", ...))."""
    kinds: set[str] = set()
    for module in (PROJECT_ROOT / "tracker" / "charts").glob("*.py"):
        kinds |= set(re.findall(r'\btrace\(\s*"(\w+)"', module.read_text(encoding="utf-8")))
    return kinds


def test_the_bundle_registers_exactly_the_trace_types_the_charts_draw():
    registered = set(re.findall(r'require\("plotly\.js/lib/(\w+)"\)', ENTRY.read_text()))
    assert "core" in registered
    bundled = (registered - {"core"}) | {"scatter"}  # the core brings scatter
    assert drawn_kinds() == {"bar", "box", "heatmap", "scatter", "scattergeo"}
    assert bundled == drawn_kinds()


def test_the_app_serves_the_small_bundle_once_it_is_built():
    if not assets.PLOTLY_BUNDLE.is_file():
        if os.environ.get("TRACKER_TEST_REQUIRE_NPM") == "1" or shutil.which("npm"):
            pytest.fail("npm is here but the plotly.js bundle is not built: run `make install`")
        pytest.skip("npm is not installed: the full plotly.js is served (make install builds it)")
    assert assets.plotly_js() == assets.PLOTLY_BUNDLE
    size = assets.PLOTLY_BUNDLE.stat().st_size
    # The whole plotly.js is 4.8 MB; this one about 1.5 MB (about 0.4 MB with brotli).
    assert size < assets.PLOTLY_FULL.stat().st_size / 3
