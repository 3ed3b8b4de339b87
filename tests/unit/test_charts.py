"""Chart functions: known input gives the expected figure data; empty input says what is missing."""

from __future__ import annotations

import json
from datetime import date

import plotly.graph_objects as go
import pytest

from tracker import charts

TODAY = date(2024, 6, 1)


def as_dict(figure):
    """The figure as its page carries it, checked against plotly's schema: an unknown or
    ill-typed property raises here, so a figure built as plain data cannot drift from it."""
    go.Figure(figure)
    return json.loads(charts.to_json(figure))


def annotation(figure) -> str:
    return as_dict(figure)["layout"]["annotations"][0]["text"]


@pytest.mark.parametrize(
    ("figure", "message"),
    [
        (charts.timeline([], [], TODAY), "No phases or milestones yet."),
        (charts.lgd_status([("planned", 0), ("signed", 0)]), "No Local Green Deal recorded yet."),
        (charts.quiet_groups([], 60), "No city has reported yet."),
        (charts.progress_by_sector([("Tourism", 0, 0, None)]), "No action has a sector yet."),
        (charts.cohort_heatmap([], ["Team set up"], []), "No core city"),
        (charts.mentorship_network([], [], []), "No mentorship recorded yet."),
        (charts.mentor_load([]), "No mentorship recorded yet."),
        (charts.milestone_summary([]), "No milestone matches these filters."),
        (charts.milestone_gantt([], TODAY), "No milestone matches these filters."),
        (charts.city_map([]), "No city has coordinates yet."),
        (charts.indicator_series("PV", "kWp", [], 0, 100), "No value of PV yet."),
        (charts.actions_by_status([("on_track", 0)]), "No action recorded yet."),
    ],
)
def test_empty_input_gives_an_empty_figure_that_says_so(figure, message):
    data = as_dict(figure)
    assert data["data"] == []
    assert message in annotation(figure)


def test_timeline_places_phases_milestones_and_today():
    phases = [charts.TimelineItem("Strategy refresh", date(2023, 9, 5), date(2024, 3, 21), "phase")]
    milestones = [
        charts.TimelineItem("Strategy Lab", date(2023, 11, 23), None, "done"),
        charts.TimelineItem("Target", date(2025, 5, 31), None, "upcoming"),
    ]
    data = as_dict(charts.timeline(phases, milestones, TODAY))
    bar, *points = data["data"]
    assert bar["type"] == "bar"
    assert bar["base"] == ["2023-09-05"]
    assert bar["x"] == [(date(2024, 3, 21) - date(2023, 9, 5)).days * 86_400_000]
    assert {p["name"]: p["x"] for p in points} == {
        "done": ["2023-11-23"],
        "upcoming": ["2025-05-31"],
    }
    assert data["layout"]["shapes"][0]["x0"] == "2024-06-01"


def test_status_chart_keeps_the_status_order_and_counts_with_labels_on_their_own_lines():
    counts = [("planned", 8), ("in_preparation", 16), ("signed", 16), ("implementing", 20)]
    data = as_dict(charts.lgd_status(counts))
    bars = data["data"][0]
    assert bars["type"] == "bar"
    assert bars["orientation"] == "h"  # each name on its own line: names never run together
    assert bars["y"] == ["Planned", "In preparation", "Signed", "Implementing"]
    assert bars["x"] == [8, 16, 16, 20]
    assert bars["text"] == ["8", "16", "16", "20"]
    assert data["layout"]["yaxis"]["autorange"] == "reversed"  # the first status on top
    assert data["layout"]["xaxis"]["title"]["text"] == "Local Green Deals"


def test_actions_by_status_names_each_status_in_words():
    data = as_dict(charts.actions_by_status([("on_track", 3), ("at_risk", 1), ("no_report", 2)]))
    bars = data["data"][0]
    assert bars["y"] == ["On track", "At risk", "no report yet"]
    assert bars["x"] == [3, 1, 2]
    assert bars["orientation"] == "h"


def test_quiet_groups_draw_a_box_per_group_and_the_stale_line():
    rows = [
        charts.QuietRow("Dortmund", 4, 1, (70, 80, 90, 120, 400)),
        charts.QuietRow("Espoo", 2, 2, (0, 0, 0, 0, 0)),  # nobody reported: not drawn
        charts.QuietRow("Porto", 3, 0, (5, 10, 20, 30, 40)),
    ]
    data = as_dict(charts.quiet_groups(rows, 60))
    (box,) = data["data"]
    assert box["y"] == ["Dortmund", "Porto"]
    assert box["median"] == [90, 20]
    assert box["lowerfence"] == [70, 5]
    assert box["upperfence"] == [400, 40]
    (line,) = data["layout"]["shapes"]
    assert line["x0"] == line["x1"] == 60
    assert line["name"] == "stale after 60 days"
    assert line["showlegend"] is True
    assert data["layout"]["xaxis"]["title"]["text"] == "days since the last update"


def test_sector_progress_drops_sectors_without_actions():
    data = as_dict(charts.progress_by_sector([("Energy", 4, 3, 62.5), ("Textiles", 0, 0, None)]))
    assert data["data"][0]["y"] == ["Energy"]
    assert data["data"][0]["x"] == [62.5]
    # The average says its base: the three that reported, and the one that has not.
    assert data["data"][0]["text"] == [
        "62\u00a0% on average over 3 reporting actions; 1 not reporting yet"
    ]


def test_cohort_heatmap_codes_each_state():
    data = as_dict(
        charts.cohort_heatmap(
            ["Bamberg (DE)", "Pula (HR)"],
            ["Team", "Signed"],
            [["done", "late"], ["on_time", "not_started"]],
        )
    )
    heat = data["data"][0]
    assert heat["z"] == [[3, 2], [1, 0]]
    assert heat["y"] == ["Bamberg (DE)", "Pula (HR)"]
    assert heat["colorbar"]["ticktext"] == [
        "\u00b7 not started",
        "\u25cb on time",
        "! late",
        "\u2713 done",
    ]
    # Each cell says its state besides its colour.
    assert heat["text"] == [["\u2713", "!"], ["\u25cb", "\u00b7"]]
    assert heat["texttemplate"] == "%{text}"
    assert heat["customdata"] == [["done", "late"], ["on time", "not started"]]


def test_network_has_a_node_per_city_a_line_per_pair_and_a_legend_for_each_encoding():
    mentors = [
        charts.Node("dortmund", "Dortmund", "mentor"),
        charts.Node("espoo", "Espoo", "mentor"),
    ]
    mentees = [
        charts.Node("bamberg", "Bamberg", "mentee", "needs_help"),
        charts.Node("pula", "Pula", "mentee", "fine"),
        charts.Node("sofia", "Sofia", "mentee", "watch"),
    ]
    edges = [
        ("dortmund", "bamberg"),
        ("dortmund", "pula"),
        ("espoo", "sofia"),
        ("espoo", "bamberg"),  # a mentee with two mentors: one node, two lines
    ]
    data = as_dict(charts.mentorship_network(mentors, mentees, edges))
    lines, *nodes = data["data"]
    positions = charts.network_layout(mentors, mentees, edges)
    # Every city is one node, with its position; mentors are named on the chart.
    by_name = {t["name"]: t for t in nodes}
    mentor_trace = by_name["mentor city (named)"]
    assert mentor_trace["text"] == ["Dortmund", "Espoo"]
    assert mentor_trace["mode"] == "markers+text"
    coloured = {
        "mentee: needs help (over the threshold)": ["Bamberg"],
        "mentee: something late or quiet, under the threshold": ["Sofia"],
        "mentee: nothing late or quiet": ["Pula"],
    }
    assert {name: by_name[name]["text"] for name in coloured} == coloured
    for trace in nodes:
        for x, y, text in zip(trace["x"], trace["y"], trace["text"], strict=True):
            assert positions[text.lower()] == (x, y)
    # Four pairs, four lines: each from a mentor's node to its mentee's.
    segments = list(
        zip(lines["x"][0::3], lines["y"][0::3], lines["x"][1::3], lines["y"][1::3], strict=True)
    )
    assert lines["x"][2::3] == [None] * 4
    assert segments == [(*positions[m], *positions[e]) for m, e in edges]

    # Each mentee sits nearer its first mentor than the other.
    def distance(a: str, b: str) -> float:
        (x0, y0), (x1, y1) = positions[a], positions[b]
        return ((x0 - x1) ** 2 + (y0 - y1) ** 2) ** 0.5

    assert distance("bamberg", "dortmund") < distance("bamberg", "espoo")
    assert distance("sofia", "espoo") < distance("sofia", "dortmund")
    # Every trace is named in the legend: the line, each colour and the mentors' squares.
    assert data["layout"]["showlegend"] is True
    assert lines["name"] == "mentorship (line)"
    assert all(t.get("showlegend", True) for t in data["data"])


def test_mentor_load_stacks_those_needing_help_most_loaded_first():
    rows = [charts.Load("Espoo", 2, 1), charts.Load("Dortmund", 5, 3), charts.Load("Aarhus", 2, 2)]
    needing, others = as_dict(charts.mentor_load(rows))["data"]
    assert needing["y"] == ["Dortmund", "Aarhus", "Espoo"]
    assert needing["x"] == [3, 2, 1]
    assert others["x"] == [2, 0, 1]


def test_gantt_marks_each_due_date_and_draws_a_bar_only_for_a_slip():
    rows = [
        charts.GanttRow("EoI deadline", date(2023, 4, 28), date(2023, 5, 31), "done"),
        charts.GanttRow("Kick-off", date(2023, 7, 1), date(2023, 7, 1), "done"),
        charts.GanttRow("Deal signed", date(2024, 5, 1), date(2024, 5, 1), "overdue"),
    ]
    bar, done, overdue = as_dict(charts.milestone_gantt(rows, TODAY))["data"]
    assert bar["y"] == ["EoI deadline"]  # the one that moved
    assert bar["base"] == ["2023-04-28"]
    assert bar["x"] == [33 * 86_400_000]
    assert done["y"] == ["EoI deadline", "Kick-off"]
    assert done["x"] == ["2023-05-31", "2023-07-01"]
    assert done["name"] == "due: done"
    assert overdue["y"] == ["Deal signed"]


def test_city_map_puts_europe_on_the_map_and_a_city_elsewhere_on_an_inset():
    places = [
        charts.Place("Dortmund", 51.5, 7.47, "mentor"),
        charts.Place("Toronto", 43.65, -79.38, "mentor"),
        charts.Place("Câmara de Lobos", 32.65, -16.98, "core"),
        charts.Place("Larnaca", 34.9, 33.62, "core"),
    ]
    figure = as_dict(charts.city_map(places))
    traces = {(t["geo"], t["name"]): t for t in figure["data"]}
    assert set(traces) == {("geo", "mentor"), ("geo2", "mentor"), ("geo", "core")}
    assert traces["geo", "mentor"]["lon"] == [7.47]
    assert traces["geo2", "mentor"]["lat"] == [43.65]
    assert traces["geo", "core"]["text"] == ["Câmara de Lobos", "Larnaca"]  # Madeira, Cyprus
    assert all(t["type"] == "scattergeo" for t in figure["data"])
    # One legend entry per role: the inset's mentor is the map's mentor.
    assert [t["name"] for t in figure["data"] if t.get("showlegend", True)] == ["mentor", "core"]
    layout = figure["layout"]
    assert layout["geo"]["scope"] == "europe"
    assert layout["geo2"]["scope"] == "north america"
    assert layout["geo2"]["domain"]["x"][1] < 0.5  # a corner, not half the map


def test_city_map_without_a_city_outside_europe_has_no_inset():
    figure = as_dict(charts.city_map([charts.Place("Porto", 41.16, -8.63, "mentor")]))
    assert "geo2" not in figure["layout"]


def test_indicator_series_draws_values_baseline_and_target():
    data = as_dict(
        charts.indicator_series(
            "PV", "kWp", [(date(2022, 3, 31), 200.0), (date(2023, 3, 31), 260.0)], 0, 800
        )
    )
    values, baseline, target = data["data"]
    assert values["y"] == [200.0, 260.0]
    assert (baseline["name"], baseline["y"]) == ("baseline", [0, 0])
    assert (target["name"], target["y"]) == ("target", [800, 800])


def test_figures_use_no_webgl_traces():
    figure = charts.city_map([charts.Place("A", 1, 1, "core")])
    assert all(not trace["type"].endswith("gl") for trace in as_dict(figure)["data"])


def test_figure_json_cannot_close_its_script_block():
    figure = {"data": [{"type": "bar", "y": ["</script><script>alert(1)</script>"]}], "layout": {}}
    text = charts.to_json(figure)
    assert "<" not in text
    assert json.loads(text)["data"][0]["y"] == ["</script><script>alert(1)</script>"]


def test_one_indicator_value_is_one_marker_on_a_calendar_of_months_from_zero():
    data = as_dict(
        charts.indicator_series("PV capacity", "kWp", [(date(2022, 3, 31), 200.0)], None, None)
    )
    (trace,) = data["data"]
    assert trace["mode"] == "markers"
    assert trace["x"] == ["2022-03-31"]
    x_axis, y_axis = data["layout"]["xaxis"], data["layout"]["yaxis"]
    assert x_axis["type"] == "date"
    start, end = (date.fromisoformat(d) for d in x_axis["range"])
    assert start < date(2022, 3, 31) < end
    assert (end - start).days >= 120  # months, not the milliseconds of one day
    assert y_axis["rangemode"] == "tozero"  # 200 is not drawn as a range of 199 to 201
    assert y_axis["title"]["text"] == "kWp"
    assert x_axis["title"]["text"] == "date measured"


def test_indicator_lines_span_the_axis_and_the_value_axis_always_holds_zero():
    values = [(date(2022, 1, 1), -3.0), (date(2024, 1, 1), 2.0)]
    data = as_dict(charts.indicator_series("Balance", "t", values, 0, 5))
    measured, baseline, target = data["data"]
    assert baseline["x"] == target["x"] == data["layout"]["xaxis"]["range"]
    # tozero keeps negative values and zero in view alike: a value is read against no value.
    assert data["layout"]["yaxis"]["rangemode"] == "tozero"
    assert measured["name"] == "measured value"  # the heading names the indicator


def test_date_range_pads_a_long_span_by_a_twentieth():
    start, end = (
        date.fromisoformat(d) for d in charts.date_range([date(2020, 1, 1), date(2022, 1, 1)])
    )
    assert 36 <= (date(2020, 1, 1) - start).days <= 37  # 731 days / 20
    assert 36 <= (end - date(2022, 1, 1)).days <= 37


def test_percent_over_time_joins_what_counts_and_marks_corrections():
    points = [
        charts.PercentPoint(date(2024, 6, 1), 40, "corrected"),
        charts.PercentPoint(date(2024, 6, 1), 35, "correction"),
        charts.PercentPoint(date(2024, 3, 1), 20, "report"),
        charts.PercentPoint(date(2024, 9, 1), 60, "report"),
    ]
    data = as_dict(charts.percent_over_time(points))
    line, corrections, corrected = data["data"]
    assert line["x"] == ["2024-03-01", "2024-06-01", "2024-09-01"]
    assert line["y"] == [20, 35, 60]  # the corrected 40 does not count
    assert corrections["y"] == [35]
    assert corrections["name"].startswith("a correction")
    assert corrected["y"] == [40]
    assert corrected["marker"]["symbol"] == "x-thin-open"
    assert data["layout"]["yaxis"]["range"] == [0, 105]
    assert data["layout"]["yaxis"]["title"]["text"] == "percent complete (%)"
    assert data["layout"]["xaxis"]["type"] == "date"


def test_every_chart_names_its_axes_or_hides_them():
    """Each drawn axis has a title; an axis of categories (rows named on it) or a hidden one
    needs none."""
    figures = [
        charts.timeline(
            [charts.TimelineItem("Phase", date(2023, 1, 1), date(2023, 6, 1), "phase")],
            [charts.TimelineItem("M", date(2023, 3, 1), None, "done")],
            TODAY,
        ),
        charts.lgd_status([("planned", 1)]),
        charts.actions_by_status([("on_track", 1)]),
        charts.progress_by_sector([("Energy", 1, 1, 50.0)]),
        charts.cohort_heatmap(["A"], ["Team set up"], [["done"]]),
        charts.milestone_gantt(
            [charts.GanttRow("M", date(2023, 1, 1), date(2023, 2, 1), "done")], TODAY
        ),
        charts.milestone_summary([charts.SlipRow("Deal signed", 1, 0, 1, (0, 0, 3, 5, 9))]),
        charts.mentor_load([charts.Load("Dortmund", 3, 1)]),
        charts.quiet_groups([charts.QuietRow("Dortmund", 3, 0, (1, 2, 3, 4, 5))], 60),
        charts.city_map([charts.Place("Dortmund", 51.5, 7.5, "mentor")]),
        charts.indicator_series("PV", "kWp", [(date(2022, 3, 31), 200.0)], 0, 800),
        charts.percent_over_time([charts.PercentPoint(date(2024, 1, 1), 10, "report")]),
    ]
    for figure in figures:
        layout = as_dict(figure)["layout"]
        for name, axis in layout.items():
            if not name.startswith(("xaxis", "yaxis")) or axis.get("visible") is False:
                continue
            if axis.get("type") == "category" or axis.get("autorange") == "reversed":
                continue  # rows named on the axis itself
            assert axis.get("title", {}).get("text"), (figure["data"][0]["type"], name)


def test_row_names_are_whole_wrapped_and_distinct():
    from tracker.charts.axes import row_height, row_names

    names = row_names(
        [
            "Call for expressions of interest opens",
            "Call for expressions of interest opens",
            "<b>Deal</b>",
        ],
        charts.plain,
    )
    # Never cut: every word of the name is on the axis, wrapped at spaces onto short lines.
    assert names[0] == "Call for expressions of<br>interest opens"
    assert names[1] == "Call for expressions of<br>interest opens (2)"
    assert names[2] == "&lt;b&gt;Deal&lt;/b&gt;"
    assert all(len(line) <= 24 for n in names for line in n.split("<br>"))
    assert row_height(names) >= 2 * 15


def test_count_axes_step_in_whole_numbers():
    from tracker.charts.axes import count_axis

    assert count_axis(1)["dtick"] == 1
    assert count_axis(4)["dtick"] == 1
    assert count_axis(13)["dtick"] == 5
    assert count_axis(107)["dtick"] == 20
    assert all(count_axis(n)["tickformat"] == ",d" for n in (1, 50, 4000))
    assert all(n / count_axis(n)["dtick"] <= 6 for n in (1, 7, 13, 60, 107, 999, 12345))
