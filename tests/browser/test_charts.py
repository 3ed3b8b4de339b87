"""Every dashboard's charts in Chromium, in English and German, at 1280, 768, 390 and 320 px: no
two tick labels overlap (of one axis, or of two), no axis title runs into tick labels, no legend
entry meets a title or a label or is cut at the chart's edge, and every chart sits inside its
page section. Each view leaves a screenshot."""

from __future__ import annotations

import pytest

from tests.browser.conftest import draw_every_chart, shoot
from tests.browser.test_accessibility import LANGUAGES

DASHBOARDS = {
    "overview": "/",
    "bamberg": "/cities/bamberg",
    "milestones-moved": "/milestones?moved=1&sort=slip",
    "cohort": "/cohort",
    "cohort-late": "/cohort?late=1&sort=lateness",
    "mentorships": "/mentorships",
    "milestones": "/milestones",
    "cities": "/cities",
    "city": "/cities/dortmund",
    "climate": "/cities/dortmund/climate",
    "public-overview": "/public/",
    "public-cohort": "/public/cohort",
    "public-city": "/public/cities/dortmund",
}
WIDTHS = (1280, 768, 390)  # each loaded at its width; a phone page is then narrowed to 320

# For each drawn chart: the boxes of its tick labels per axis, of its axis titles, and its own
# box against the box of the page section it belongs to.
MEASURE = """() => [...document.querySelectorAll('.chart[data-drawn=true]')].map(chart => {
  const box = el => { const r = el.getBoundingClientRect();
                      return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                              text: (el.textContent || '').trim()}; };
  const visible = el => { const r = el.getBoundingClientRect();
                          return r.width > 0 && r.height > 0 && (el.textContent || '').trim(); };
  const ticks = {};
  for (const axis of ['xtick', 'x2tick', 'ytick', 'y2tick']) {
    ticks[axis] = [...chart.querySelectorAll('g.' + axis + ' text')].filter(visible).map(box);
  }
  const titles = {};
  for (const axis of ['x', 'x2', 'y', 'y2']) {
    const title = chart.querySelector('text.' + axis + 'title');
    if (title && visible(title)) { titles[axis] = box(title); }
  }
  const legend = [...chart.querySelectorAll('g.legend g.traces')].filter(visible).map(box);
  const svg = box(chart.querySelector('svg.main-svg'));
  const section = chart.closest('section') || chart.closest('figure');
  return {id: chart.id, ticks, titles, legend, svg, chart: box(chart), section: box(section)};
})"""


def overlap(a: dict, b: dict, slack: float = 1.0) -> bool:
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]) > slack
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack
    )


def meeting(boxes: list[dict]) -> list[tuple[dict, dict]]:
    """The pairs of `boxes` that overlap."""
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if overlap(a, b)]


def legend_problems(chart: dict) -> list[str]:
    """A legend entry on a title or a tick label, or cut at the edge of the chart."""
    found = []
    labels = [*chart["titles"].values(), *[t for ts in chart["ticks"].values() for t in ts]]
    edge = chart.get("svg")
    for entry in chart.get("legend", []):
        for label in labels:
            if overlap(entry, label):
                found.append(f"{chart['id']}: the legend {entry['text']!r} on {label['text']!r}")
        if edge and (entry["left"] < edge["left"] - 1 or entry["right"] > edge["right"] + 1):
            found.append(f"{chart['id']}: the legend {entry['text']!r} is cut at the edge")
    return found


def crossing_labels(chart: dict) -> list[str]:
    """A tick label of a horizontal axis on one of a vertical axis ("0" on "2024")."""
    horizontal = [t for axis in ("xtick", "x2tick") for t in chart["ticks"].get(axis, [])]
    vertical = [t for axis in ("ytick", "y2tick") for t in chart["ticks"].get(axis, [])]
    return [
        f"{chart['id']}: the labels {a['text']!r} and {b['text']!r} meet"
        for a in horizontal
        for b in vertical
        if overlap(a, b)
    ]


def problems_of(charts: list[dict]) -> list[str]:
    found = []
    for chart in charts:
        name = chart["id"]
        for axis, boxes in chart["ticks"].items():
            for a, b in meeting(boxes):
                found.append(f"{name}: {axis} labels {a['text']!r}/{b['text']!r}")
        for axis, title in chart["titles"].items():
            hit = [t["text"] for t in chart["ticks"].get(f"{axis}tick", []) if overlap(title, t)]
            if hit:
                found.append(f"{name}: the {axis} title runs into its labels {hit[:3]}")
        for a, b in meeting(list(chart["titles"].values())):
            found.append(f"{name}: the axis titles {a['text']!r} and {b['text']!r} meet")
        found += legend_problems(chart) + crossing_labels(chart)
        inner, outer = chart["chart"], chart["section"]
        if inner["top"] < outer["top"] - 1 or inner["bottom"] > outer["bottom"] + 1:
            found.append(
                f"{name}: {inner['bottom'] - inner['top']:.0f} px tall, outside its"
                f" section ({outer['top']:.0f} to {outer['bottom']:.0f})"
            )
    return found


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_no_chart_label_overlaps_and_every_chart_fits_its_section(
    browser, live_server, role_states, screenshot_dir, language
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        storage_state=role_states("lead"),
        locale=LANGUAGES[language],
    )
    page = context.new_page()
    problems: dict[str, list[str]] = {}
    measured = 0
    try:
        page.goto(live_server + "/cities/dortmund")
        action = page.locator("a[href^='/actions/']").first.get_attribute("href")
        for name, path in {**DASHBOARDS, "action": action}.items():
            if path.startswith("/public/"):
                path += ("&" if "?" in path else "?") + f"lang={language}"
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(live_server + path)
                draw_every_chart(page)
                charts = page.evaluate(MEASURE)
                measured += len(charts)
                # The whole page on a desk; on a phone the first screen (a whole phone page of
                # a long list is tens of thousands of pixels, slow to take and to look at).
                if width != 768:
                    shoot(
                        page,
                        screenshot_dir / f"charts-{language}-{width}-{name}.png",
                        full_page=width > 1000,
                    )
                found = problems_of(charts)
                if found:
                    problems[f"{name} at {width} px"] = found
                if width == 390:  # the narrowest phone: the same page, narrowed
                    page.set_viewport_size({"width": 320, "height": 900})
                    page.wait_for_timeout(300)  # the charts follow the window's size
                    if narrowed := problems_of(page.evaluate(MEASURE)):
                        problems[f"{name} at 320 px"] = narrowed
    finally:
        context.close()
    assert measured > 2 * len(DASHBOARDS)
    assert not problems, "\n".join(f"{view}: {found}" for view, found in problems.items())


def test_the_check_sees_an_overlap():
    a = {"left": 0, "right": 50, "top": 0, "bottom": 10, "text": "Implementation"}
    b = {"left": 40, "right": 90, "top": 2, "bottom": 12, "text": "Deal signed"}
    c = {"left": 91, "right": 120, "top": 0, "bottom": 10, "text": "Partners"}
    chart = {
        "id": "c",
        "ticks": {"xtick": [a, b, c]},
        "titles": {},
        "chart": {"top": 0, "bottom": 500},
        "section": {"top": 10, "bottom": 300},
    }
    assert problems_of([chart]) == [
        "c: xtick labels 'Implementation'/'Deal signed'",
        "c: 500 px tall, outside its section (10 to 300)",
    ]
    legend = {"left": 45, "right": 200, "top": 5, "bottom": 15, "text": "today"}
    chart.update(legend=[legend], svg={"left": 0, "right": 150, "top": 0, "bottom": 500})
    assert legend_problems(chart) == [
        "c: the legend 'today' on 'Implementation'",
        "c: the legend 'today' on 'Deal signed'",
        "c: the legend 'today' on 'Partners'",
        "c: the legend 'today' is cut at the edge",
    ]
    zero = {"left": 0, "right": 8, "top": 95, "bottom": 105, "text": "0"}
    year = {"left": 2, "right": 30, "top": 100, "bottom": 110, "text": "2024"}
    crossed = {**chart, "ticks": {"xtick": [year], "ytick": [zero]}, "legend": []}
    assert "c: the labels '2024' and '0' meet" in problems_of([crossed])
