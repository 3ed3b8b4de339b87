"""Password rules: long enough, not guessable (zxcvbn, told the person's own words), its advice in
the reader's language; and how passwords are hashed."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.security import generate_password_hash
from zxcvbn import zxcvbn

from tracker.domain.errors import Invalid
from tracker.extensions import db
from tracker.models import City, Programme

# What the audit trail says of a password change: that it happened, never the values.


MIN_PASSWORD_LENGTH = 12


MAX_PASSWORD_LENGTH = 128


# zxcvbn's score from 0 to 4: 3 is "safely unguessable" for an online attack.
MIN_PASSWORD_SCORE = 3


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@cache
def dummy_hash(method: str) -> str:
    """Checked when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password."""
    return generate_password_hash("not-a-real-password", method=method)


# zxcvbn's advice, which it gives in English only, in the catalogue's words: a refusal is wholly
# in the page's language.
ZXCVBN_ADVICE = {
    "Use a few words, avoid common phrases.": _l("Use a few words, avoid common phrases."),
    "No need for symbols, digits, or uppercase letters.": _l(
        "No need for symbols, digits, or uppercase letters."
    ),
    "Add another word or two. Uncommon words are better.": _l(
        "Add another word or two. Uncommon words are better."
    ),
    "Straight rows of keys are easy to guess.": _l("Straight rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.": _l("Short keyboard patterns are easy to guess."),
    "Use a longer keyboard pattern with more turns.": _l(
        "Use a longer keyboard pattern with more turns."
    ),
    'Repeats like "aaa" are easy to guess.': _l('Repeats like "aaa" are easy to guess.'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': _l(
        'Repeats like "abcabcabc" are only slightly harder to guess than "abc".'
    ),
    "Avoid repeated words and characters.": _l("Avoid repeated words and characters."),
    'Sequences like "abc" or "6543" are easy to guess.': _l(
        'Sequences like "abc" or "6543" are easy to guess.'
    ),
    "Avoid sequences.": _l("Avoid sequences."),
    "Recent years are easy to guess.": _l("Recent years are easy to guess."),
    "Avoid recent years.": _l("Avoid recent years."),
    "Avoid years that are associated with you.": _l("Avoid years that are associated with you."),
    "Dates are often easy to guess.": _l("Dates are often easy to guess."),
    "Avoid dates and years that are associated with you.": _l(
        "Avoid dates and years that are associated with you."
    ),
    "This is a top-10 common password.": _l("This is a top-10 common password."),
    "This is a top-100 common password.": _l("This is a top-100 common password."),
    "This is a very common password.": _l("This is a very common password."),
    "This is similar to a commonly used password.": _l(
        "This is similar to a commonly used password."
    ),
    "A word by itself is easy to guess.": _l("A word by itself is easy to guess."),
    "Names and surnames by themselves are easy to guess.": _l(
        "Names and surnames by themselves are easy to guess."
    ),
    "Common names and surnames are easy to guess.": _l(
        "Common names and surnames are easy to guess."
    ),
    "Capitalization doesn't help very much.": _l("Capitalization doesn't help very much."),
    "All-uppercase is almost as easy to guess as all-lowercase.": _l(
        "All-uppercase is almost as easy to guess as all-lowercase."
    ),
    "Reversed words aren't much harder to guess.": _l(
        "Reversed words aren't much harder to guess."
    ),
    "Predictable substitutions like '@' instead of 'a' don't help very much.": _l(
        "Predictable substitutions like '@' instead of 'a' don't help very much."
    ),
}


def in_language(advice: str | None) -> str:
    """zxcvbn's advice in the request's language; advice it may add later is left out rather
    than shown in English."""
    if not advice:
        return ""
    return str(ZXCVBN_ADVICE[advice]) if advice in ZXCVBN_ADVICE else ""


# The app's own name, as people write it: a password built on it is guessable here.
APP_WORDS = ("icc-tracker", "icctracker", "icc tracker", "icc", "tracker")


def site_words() -> list[str]:
    """What anyone guessing here would try first: the app's name, the programmes' names and
    every city's name (as named here and locally) and slug."""
    words = [*APP_WORDS]
    for name, slug in db.session.execute(sa.select(Programme.name, Programme.slug)):
        # The whole name, its words, and them run together ("IntelligentCities").
        letters = [word for word in name.split() if word.isalpha()]
        words += [name, slug, *letters, "".join(letters), "".join(letters[:2])]
    for city in db.session.execute(sa.select(City.name, City.local_name, City.slug)):
        words += [word for word in city if word]
    return words


def check_password_rules(
    password: str, *, email: str | None = None, name: str | None = None
) -> None:
    """12 to 128 characters of any kind, not the e-mail or its local part, and not guessable
    (zxcvbn, with the person's e-mail and name, the app's, the programmes' and the cities'
    names as context); the reason is said."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            _(
                "The password must have at least %(MIN_PASSWORD_LENGTH)s characters.",
                MIN_PASSWORD_LENGTH=MIN_PASSWORD_LENGTH,
            ),
            field="password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid(
            _(
                "The password must have at most %(MAX_PASSWORD_LENGTH)s characters.",
                MAX_PASSWORD_LENGTH=MAX_PASSWORD_LENGTH,
            ),
            field="password",
        )
    context = [part for part in (email, *(email or "").split("@")[:1], name) if part]
    lowered = password.lower()
    if any(lowered == part.lower() for part in context[:2]):
        raise Invalid(_("The password must not be your e-mail address."), field="password")
    verdict = zxcvbn(password, user_inputs=[*context, *(name or "").split(), *site_words()])
    if verdict["score"] < MIN_PASSWORD_SCORE:
        feedback = verdict["feedback"]
        reason = in_language(feedback.get("warning")) or _("It would be easy to guess.")
        hints = " ".join(in_language(hint) for hint in feedback.get("suggestions") or [])
        raise Invalid(
            (
                _("This password is too weak: %(reason)s.", reason=reason.rstrip(".")) + " " + hints
            ).strip(),
            field="password",
        )
