"""A finished programme reads as finished: the overview says in a sentence that it ran from
1 Mar 2023 to 31 May 2025 and has ended, its timeline ends shortly after it, and what was never
recorded as done is worded so, not as overdue work."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from tests.helpers import visible_text
from tracker import charts
from tracker.charts import AFTER_THE_END, TimelineItem

END = date(2025, 5, 31)


def timeline_of(html: str) -> dict:
    found = re.search(r'data-chart="timeline">(.*?)</script>', html)
    assert found
    return json.loads(found.group(1))


@pytest.mark.parametrize("url", ["/", "/public/"])
def test_the_overview_says_the_programme_has_ended_and_draws_only_its_time(viewer, demo_app, url):
    assert date.today() > END + AFTER_THE_END  # the programme is over on the day this runs
    demo_app.config["PUBLIC_PAGES"] = True
    try:
        response = viewer.get(url)
    finally:
        demo_app.config["PUBLIC_PAGES"] = False
    text = visible_text(response)
    assert "The programme ran from 1 Mar 2023 to 31 May 2025 and has ended." in text
    assert "Overdue (no completion recorded)" not in text
    assert re.search(r"Not recorded as done \d+", text)
    figure = timeline_of(response.get_data(as_text=True))
    assert figure["layout"]["xaxis"]["range"][1] == (END + AFTER_THE_END).isoformat()
    assert figure["layout"]["shapes"] == []  # no "today" line a year and a half to the right
    states = {trace["name"] for trace in figure["data"] if trace["type"] == "scatter"}
    assert "overdue" not in states
    assert states <= {"done", "not recorded as done"}


def test_in_german_too(viewer):
    text = visible_text(viewer.get("/", headers={"Accept-Language": "de"}))
    assert "Das Programm lief vom 01.03.2023 bis 31.05.2025 und ist beendet." in text


def test_the_attention_list_calls_the_milestones_never_recorded_as_done(viewer):
    text = visible_text(viewer.get("/"))
    assert re.search(r"Milestones never recorded as done \(\d+\)", text)
    assert "Overdue milestones (" not in text


def test_a_running_programme_keeps_today_and_its_states():
    today = END - timedelta(days=100)
    figure = charts.timeline(
        [TimelineItem("Implementation", date(2024, 1, 1), None, "phase")],
        [TimelineItem("Lab", date(2024, 3, 21), None, "overdue")],
        today,
        END,
    )
    assert "range" not in figure["layout"]["xaxis"]
    (line,) = figure["layout"]["shapes"]
    assert line["x0"] == today.isoformat()
