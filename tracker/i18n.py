"""German and English: which language a request is answered in, and how dates, numbers and
percentages are written and read in it.

The language is the person's setting, else the one chosen with the header's switch (a cookie,
for someone not signed in), else the browser's Accept-Language, else English. Dates, numbers and
percentages are formatted with Babel for that language; forms and imports read the language's
decimal comma and day.month.year dates as well as ISO. Exports stay ISO."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern
from flask import Flask, current_app, has_app_context, has_request_context, request
from flask_babel import Babel, get_locale, get_translations, refresh
from flask_login import current_user

from tracker.timezones import zone_of

LANGUAGES = {"en": "English", "de": "Deutsch"}
DEFAULT_LANGUAGE = "en"
COOKIE = "language"
# The written date of each language: 23 Nov 2023, 23.11.2023.
DATE_PATTERNS = {"en": "d MMM y", "de": "dd.MM.y"}
GERMAN_DATE = re.compile(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*")

babel = Babel()


def select_language() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if request.blueprint == "public":
        # The public view is the same for everyone: its language is in its address (?lang=),
        # else the browser's; it never reads a session.
        chosen = request.args.get("lang")
        if chosen in LANGUAGES:
            return str(chosen)
        return request.accept_languages.best_match(list(LANGUAGES), DEFAULT_LANGUAGE) or "en"
    if current_user and current_user.is_authenticated:
        chosen = getattr(current_user, "language", None)
        if chosen in LANGUAGES:
            return str(chosen)
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return str(cookie)
    return request.accept_languages.best_match(list(LANGUAGES), DEFAULT_LANGUAGE) or "en"


def select_time_zone() -> str:
    return str(zone_of().key) if has_request_context() else current_app.config["TIME_ZONE"]


def language() -> str:
    """The language being written in: the request's, or the one a message is forced into
    (mail.letter) in a command; English otherwise."""
    locale = get_locale() if has_app_context() else None
    return locale.language if locale is not None else DEFAULT_LANGUAGE


@cache
def _locale(lang: str) -> Locale:
    """The language's Babel locale, read once (Babel reads it afresh for each figure written
    with the language's name: a page of the mentorships writes hundreds)."""
    return Locale.parse(lang)


@cache
def _number_pattern(digits: int) -> NumberPattern:
    """Thousands grouped, at most `digits` places, parsed once."""
    return parse_pattern("#,##0" + ("." + "#" * digits if digits else ""))


def written_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return _written_day(language(), value.date() if isinstance(value, datetime) else value)


@lru_cache(maxsize=4096)
def _written_day(lang: str, day: date) -> str:
    """A day in a language, written once: a page writes the same few days again and again."""
    from babel.dates import format_date

    return format_date(day, DATE_PATTERNS.get(lang, DATE_PATTERNS["en"]), locale=_locale(lang))


def written_month(value: date | datetime | None) -> str:
    """A month and its year: June 2024, Juni 2024."""
    from babel.dates import format_date

    if value is None:
        return ""
    return format_date(value, "MMMM y", locale=_locale(language()))


def written_number(value: float, digits: int = 1) -> str:
    """1234.5 as 1,234.5 or 1.234,5; whole numbers without a fraction."""
    return _number_pattern(digits).apply(value, _locale(language()))


def read_decimal(text: str) -> str:
    """A decimal as typed in the request's language, as Python reads it: in German "55,5" is
    55.5 (and "1.234,5" is 1234.5); in English a comma only separates thousands."""
    text = text.strip()
    if language() == "de" and "," in text:
        return text.replace(".", "").replace(",", ".")
    return text.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text) else text


# Spaces people put between groups of digits (1 234,5): plain, no-break and narrow no-break.
DIGIT_SPACES = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d)")


def read_number(text: str) -> Decimal:
    """A number as the request's language writes it, exactly: German 55,5 and 1.234,5, English
    55.5 and 1,234.5. A separator in the wrong place ("55.5" in German, where the point groups
    thousands) is refused rather than guessed, so 55,5 is never stored as 555.

    Raises ValueError when the text is not a finite number written the language's way."""
    from babel.numbers import NumberFormatError, parse_decimal

    cleaned = DIGIT_SPACES.sub("", text.strip())
    if not re.fullmatch(r"[+-]?[0-9.,]+", cleaned):
        raise ValueError(text)
    try:
        number = parse_decimal(cleaned, locale=language(), strict=True)
    except NumberFormatError:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number


def read_date(text: str) -> str:
    """A date as typed: ISO (2026-11-26) as it is, or day.month.year (26.11.2026) as ISO."""
    found = GERMAN_DATE.fullmatch(text)
    if found is None:
        return text.strip()
    day, month, year = (int(part) for part in found.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def compile_catalogues(directory: Path) -> None:
    """Compile each .po catalogue whose .mo is missing or older (as `make install` does), so
    that an app started some other way still speaks German."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in directory.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalogue = read_po(source)
        try:
            with mo.open("wb") as target:
                write_mo(target, catalogue)
        except OSError:  # a read-only installation: it was compiled when it was installed
            continue


def init_app(app: Flask) -> None:
    compile_catalogues(Path(app.root_path) / "translations")
    # Flask-Babel keeps the language on `g`; each request chooses anew (a test client's
    # requests share one application context).
    app.before_request(refresh)
    babel.init_app(
        app,
        locale_selector=select_language,
        timezone_selector=select_time_zone,
        default_translation_directories="translations",
    )
    # Templates' words translated once per language (a page asks for hundreds, and each
    # translation asks Flask-Babel for the request's catalogue); plurals as Flask-Babel has them.
    # (install_gettext_callables comes with the jinja2.ext.i18n extension Flask-Babel adds.)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_template_words,
        ngettext=lambda s, p, n: get_translations().ungettext(s, p, n),
        newstyle=True,
    )


_KEPT_WORDS: dict[tuple[str, str, str], str] = {}


def kept_words(kind: str, key: str, translate: Callable[[], str]) -> str:
    """The words of `key` (of a `kind`: a template's message, a label) in the language being
    written: `translate()` once per language, then kept (the keys are the app's own messages
    and codes, so what is kept is bounded by them)."""
    kept = (language(), kind, key)
    words = _KEPT_WORDS.get(kept)
    if words is None:
        words = _KEPT_WORDS[kept] = translate()
    return words


def _template_words(message: str) -> str:
    """A template's message in the language being written (templates translate only the
    messages written in them)."""
    return kept_words("template", message, lambda: get_translations().ugettext(message))


TIME_PATTERNS = {"en": "d MMM y, HH:mm zzz", "de": "dd.MM.y, HH:mm zzz"}


def local_time(moment: datetime | None) -> str:
    """A stored moment (UTC; SQLite hands it back naive) in the person's time zone, written
    in the request's language (26 Nov 2026, 09:30 CET; 26.11.2026, 09:30 MEZ)."""
    from babel.dates import format_datetime

    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    lang = language()
    return format_datetime(
        moment.astimezone(zone_of()),
        TIME_PATTERNS.get(lang, TIME_PATTERNS["en"]),
        locale=_locale(lang),
    )
