"""The German catalogue is complete, and no template says English outside a translation call."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from tracker import PROJECT_ROOT

CATALOGUE = PROJECT_ROOT / "tracker" / "translations" / "de" / "LC_MESSAGES" / "messages.po"
TEMPLATES = PROJECT_ROOT / "templates"
# What a template may say as it is, in either language: proper names, codes and symbols.
AS_IS = {"ICC Tracker", "CSV", "XLSX", "API", "OpenAPI", "external_id", "openapi.json"}
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
TAG = re.compile(r"<[^>]*>", re.S)
PROTECTED = re.compile(r"<script.*?</script>|<style.*?</style>|<code>.*?</code>", re.S)
LITERAL_IN_EXPRESSION = re.compile(
    r"\b(?:or|else|if)\s+\"([^\"]*[A-Za-z]{3,}[^\"]*)\"|\"([^\"]*[A-Za-z]{3,}[^\"]*)\"\s+if\b"
)


def untranslated_text(source: str) -> list[str]:
    """Text of a template outside Jinja's tags and translation calls that reads as words."""
    found = []
    for expression in re.findall(r"\{\{.*?\}\}", source, flags=re.S):
        literals = [a or b for a, b in LITERAL_IN_EXPRESSION.findall(expression)]
        found += [f'"{text}" in an expression' for text in literals]
    text = PROTECTED.sub(" ", source)
    text = JINJA.sub("\n", text)
    for attribute in re.findall(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"', text):
        if re.search(r"[A-Za-z]{2,}", attribute) and attribute not in AS_IS:
            found.append(f'attribute "{attribute}"')
    text = TAG.sub("\n", text)
    for piece in text.splitlines():
        piece = piece.strip(" \t\u00b7\u2013-:,.()")
        if re.search(r"[A-Za-z]{2,}", piece) and piece not in AS_IS and not piece.startswith("&"):
            found.append(piece)
    return found


def test_no_template_says_english_outside_a_translation_call():
    problems = {
        str(path.relative_to(TEMPLATES)): found
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (found := untranslated_text(path.read_text(encoding="utf-8")))
    }
    assert problems == {}


def test_the_check_finds_english_where_it_is():
    assert untranslated_text("<h1>Hello</h1>") == ["Hello"]
    assert untranslated_text('<p title="Your account">x</p>') == ['attribute "Your account"']
    assert untranslated_text('{{ a or "Not described yet." }}') == [
        '"Not described yet." in an expression'
    ]
    assert untranslated_text('{{ "Measures" if a else b }}') == ['"Measures" in an expression']
    assert untranslated_text('<h1>{{ _("Hello") }}</h1><code>flask seed</code>') == []


def test_every_marked_string_has_a_german_translation(tmp_path: Path):
    template = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "extract",
            "-F",
            str(PROJECT_ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--ignore-dirs=.* .venv node_modules",
            "-o",
            str(template),
            str(PROJECT_ROOT),
        ]
    )
    with template.open("rb") as source:
        marked = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}
    with CATALOGUE.open("rb") as source:
        german = read_po(source, locale="de")
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in german
        if m.id
        and "fuzzy" not in m.flags
        and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    assert sorted(marked - translated) == []
