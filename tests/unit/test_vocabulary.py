"""The template vocabulary: one date format and one way to word a stored code."""

from datetime import UTC, date, datetime

from tracker.vocabulary import NO_FIGURE, STATUS_LABELS, day, label, number, percent


def test_day_is_written_in_english_outside_a_request_and_empty_for_no_date():
    assert day(date(2024, 10, 9)) == "9 Oct 2024"
    assert day(datetime(2024, 10, 9, 23, 30, tzinfo=UTC)) == "9 Oct 2024"
    assert day(None) == ""


def test_label_words_a_code():
    assert label("due_soon") == "due soon"
    assert label(None) == ""
    assert STATUS_LABELS["on_track"] == "On track"


def test_numbers_and_percentages_are_worded_once():
    assert number(1234.5) == "1,234.5"
    assert number(12.0) == "12"
    assert number(0.25, 2) == "0.25"
    assert number(None) == NO_FIGURE
    assert percent(44.6) == "45\u00a0%"
    assert percent(None) == NO_FIGURE


def test_templates_use_the_filters_not_python_methods():
    from pathlib import Path

    from tracker import PROJECT_ROOT

    for path in Path(PROJECT_ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        assert ".isoformat()" not in text, path
        assert ".replace('_', ' ')" not in text, path
        assert "| round" not in text.replace("| round]", ""), path  # numbers go through number


def test_labels_are_worded_in_each_language_in_turn(app):
    """The labels' words are kept once translated: kept per language, a German page after an
    English one (and back) still says each in its own."""
    from flask_babel import force_locale

    from tracker.vocabulary import status_label

    with app.test_request_context("/"):
        said = []
        for language in ("en", "de", "en", "de"):
            with force_locale(language):
                said.append((label("late"), status_label("on_track"), label("no_such_code")))
    assert (
        said
        == [
            ("late", "On track", "no such code"),
            ("verspätet", "Im Plan", "no such code"),
        ]
        * 2
    )


def test_days_and_numbers_are_written_in_each_language_in_turn(app):
    """Days and number patterns are kept once written or parsed: kept per language, each
    language still writes its own."""
    from flask_babel import force_locale

    from tracker.i18n import written_date, written_month

    with app.test_request_context("/"):
        said = []
        for language in ("en", "de", "en", "de"):
            with force_locale(language):
                said.append(
                    (
                        written_date(date(2024, 3, 9)),
                        written_month(date(2024, 3, 9)),
                        number(1234.5),
                    )
                )
    assert (
        said
        == [
            ("9 Mar 2024", "March 2024", "1,234.5"),
            ("09.03.2024", "März 2024", "1.234,5"),
        ]
        * 2
    )
