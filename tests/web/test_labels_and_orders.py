"""Labels and orders that are true: mentees are called mentees, every chart whose caption
states an order is drawn in it, status colours (and hatchings) differ per status, and roles are
words of the page's language."""

from __future__ import annotations

import itertools
import json
import re
from html import unescape

from tests.helpers import signed_in_client, visible_text
from tracker.charts import COLOURS, STATUS_PATTERNS
from tracker.models.plan import ACTION_STATUSES, LGD_STATUSES
from tracker.vocabulary import label

GERMAN = {"Accept-Language": "de"}
FIGURE = re.compile(
    r'<figure class="chart-block" id="(?P<id>[\w-]+)-block">\s*'
    r"(?:<figcaption>(?P<caption>.*?)</figcaption>)?.*?"
    r'<script type="application/json" data-chart="(?P=id)">(?P<json>.*?)</script>',
    re.S,
)
# Words by which a caption states an order.
ORDER_WORDS = re.compile(r"\bfirst(?:$|[,;.])|\(top\)|\bin order\b|zuerst|\(oben\)", re.I)


def captioned_figures(html: str) -> dict[str, tuple[str, dict]]:
    return {
        m["id"]: (unescape(m["caption"] or ""), json.loads(m["json"]))
        for m in FIGURE.finditer(html)
    }


def non_increasing(values: list) -> bool:
    return all(a >= b for a, b in itertools.pairwise(values))


def quietest_first(figure: dict) -> bool:
    (box,) = figure["data"]
    return figure["layout"]["yaxis"]["autorange"] == "reversed" and non_increasing(box["median"])


def most_needing_help_first(figure: dict) -> bool:
    helped, others = figure["data"]
    pairs = [(h, h + o) for h, o in zip(helped["x"], others["x"], strict=True)]
    return figure["layout"]["yaxis"]["autorange"] == "reversed" and non_increasing(pairs)


def planned_to_completed(figure: dict) -> bool:
    (bars,) = figure["data"]
    return figure["layout"]["yaxis"]["autorange"] == "reversed" and bars["y"] == [
        label(s).capitalize() for s in LGD_STATUSES
    ]


# What each caption that states an order promises, and how the figure is checked against it.
ORDERS = {
    "the quietest first": quietest_first,
    "the mentors with the most mentees needing help first": most_needing_help_first,
    "from planned (top) to completed": planned_to_completed,
}


def test_every_chart_whose_caption_states_an_order_is_drawn_in_that_order(viewer):
    checked = set()
    for url in ("/", "/mentorships", "/milestones", "/cohort", "/cities", "/cities/dortmund"):
        for name, (caption, figure) in captioned_figures(
            viewer.get(url).get_data(as_text=True)
        ).items():
            if not ORDER_WORDS.search(caption):
                continue
            rules = [phrase for phrase in ORDERS if phrase in caption]
            assert rules, f"{url} #{name}: {caption!r} states an order no test checks"
            for phrase in rules:
                assert ORDERS[phrase](figure), f"{url} #{name} is not drawn {phrase!r}"
                checked.add(phrase)
    assert checked == set(ORDERS)


def test_the_load_order_puts_the_mentors_with_most_mentees_needing_help_on_top(viewer):
    (_caption, figure) = captioned_figures(viewer.get("/mentorships").get_data(as_text=True))[
        "mentor-load"
    ]
    helped = figure["data"][0]["x"]
    assert helped[0] == max(helped)
    assert helped != sorted(helped)  # the data has mentors without mentees needing help too


def test_a_mentor_city_lists_its_mentees_as_mentees(viewer):
    english = viewer.get("/cities/dortmund").get_data(as_text=True)
    assert '<p>Mentees: <a href="/cities/' in english
    assert "<p>Mentors <a" not in english
    german = viewer.get("/cities/dortmund", headers=GERMAN).get_data(as_text=True)
    assert '<p>Mentees: <a href="/cities/' in german
    assert "<p>Mentorstädte <a" not in german
    mentee = viewer.get("/cities/bamberg").get_data(as_text=True)
    assert '<p>Mentored by: <a href="/cities/' in mentee


def test_status_colours_and_hatchings_differ_for_every_status():
    statuses = [*ACTION_STATUSES, "no_report"]
    colours = [COLOURS[s] for s in statuses]
    patterns = [STATUS_PATTERNS[s] for s in statuses]
    assert len(set(colours)) == len(statuses)
    assert len(set(patterns)) == len(statuses)


def test_the_action_status_chart_draws_each_status_in_its_own_colour_and_hatching(viewer):
    (_caption, figure) = captioned_figures(viewer.get("/").get_data(as_text=True))["action-status"]
    marker = figure["data"][0]["marker"]
    assert len(set(marker["color"])) == len(marker["color"])
    assert len(set(marker["pattern"]["shape"])) == len(marker["pattern"]["shape"])


def test_role_names_are_words_of_the_page_language(demo_app):
    admin = signed_in_client(demo_app, "admin", email="root@example.org")
    for headers, words in (
        ({}, ("administrator", "programme lead", "editor", "viewer")),
        (GERMAN, ("Administration", "Programmleitung", "Redakteur/in", "Lesezugriff")),
    ):
        users = visible_text(admin.get("/admin/users", headers=headers))
        for word in words:
            assert word in users
        form = admin.get("/admin/users", headers=headers).get_data(as_text=True)
        options = re.findall(
            r'<option[^>]*value="(?:admin|lead|editor|viewer)"[^>]*>([^<]*)<', form
        )
        assert options
        assert all(o.strip() in words for o in options)
    editor = signed_in_client(demo_app, "editor", city="dortmund", email="ed@example.org")
    header = visible_text(editor.get("/", headers=GERMAN)).split("Abmelden", 1)[0]
    assert "Redakteur/in" in header
    assert "Bearbeitung" not in header
