"""German throughout: every page, rendered in German for each role and for anyone (the public
view), shows no text of the English catalogue untranslated, neither in its words nor in its
charts. A fragment counts when it is at least two words long (the words between placeholders
of a message), so that a proper name or a one-word term that German shares is not taken for
a leftover."""

from __future__ import annotations

import html
import json
import re
from functools import cache

import pytest
from babel.messages.pofile import read_po

from tests.factories import make_user
from tests.helpers import login
from tracker import PROJECT_ROOT

CATALOGUE = PROJECT_ROOT / "tracker" / "translations" / "de" / "LC_MESSAGES" / "messages.po"
GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|%%")


@cache
def english_fragments() -> frozenset[str]:
    """The English pieces of every message whose German differs: what must not be seen on a
    German page."""
    with CATALOGUE.open("rb") as source:
        catalogue = read_po(source)
    found = set()
    for message in catalogue:
        if not message.id:
            continue
        ids = [str(i) for i in (message.id if isinstance(message.id, tuple) else (message.id,))]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        german = [str(g or "") for g in strings]
        for text in ids:
            for piece in PLACEHOLDER.split(text):
                piece = piece.strip(" .,:;()\u201c\u201d\"'")
                letters = len(re.findall(r"[A-Za-z]", piece))
                if letters >= 8 and " " in piece and not any(piece in g for g in german):
                    found.add(piece)
    return frozenset(found)


def what_a_reader_sees(page: str) -> str:
    """A page's visible text and the words its charts draw (titles, names, labels, hovers)."""
    words = []
    for block in re.findall(
        r'<script type="application/json" data-chart="[^"]+">(.*?)</script>', page, re.S
    ):
        words += strings_in(json.loads(block))
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"\s+", " ", " ".join([text, *words]))


def strings_in(value: object) -> list[str]:
    if isinstance(value, str):
        return [re.sub(r"<br>", " ", value)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def leftovers(page: str) -> list[str]:
    seen = what_a_reader_sees(page)
    return sorted(
        f for f in english_fragments() if re.search(rf"(?<![\w]){re.escape(f)}(?![\w])", seen)
    )


def first_link(client, page: str, prefix: str) -> str:
    html_ = client.get(page, headers=GERMAN).get_data(as_text=True)
    found = re.search(rf'href="({re.escape(prefix)}\d+)["/#]', html_)
    assert found, (page, prefix)
    return found.group(1)


SIGNED_IN = [
    "/",
    "/cohort",
    "/cohort?late=1&sort=lateness",
    "/mentorships",
    "/milestones",
    "/milestones?moved=1&sort=slip",
    "/cities",
    "/cities/dortmund",
    "/cities/bamberg",
    "/cities/pescara",
    "/cities/dortmund/climate",
    "/cities/bamberg/readiness",
    "/actions?attention=risky",
    "/actions?attention=stale",
    "/exports",
    "/import",
    "/auth/password",
]


@pytest.fixture
def clients(demo_app):
    made = {}
    for role, city in (("lead", None), ("editor", "dortmund"), ("admin", None)):
        client = demo_app.test_client()
        email = f"{role}-de@example.org"
        make_user(role, city=city, email=email)
        login(client, email)
        made[role] = client
    return made


def round_pages(lead, editor) -> dict[str, tuple[object, str]]:
    """Two reporting rounds, the first closed: their pages, a city's sheet, the comparison."""
    period = {"period_start": "2025-01-01", "period_end": "2025-06-30", "due_on": "2025-07-31"}
    rounds = []
    for name in ("R1", "R2"):
        data = {**period, "name": name, "cities": "dortmund"}
        opened = lead.post("/rounds/new", data=data, headers=GERMAN)
        rounds.append(opened.headers["Location"].rsplit("/", 1)[1])
        if name == "R1":
            lead.post(f"/rounds/{rounds[0]}/close", headers=GERMAN)
    pages: dict[str, tuple[object, str]] = {
        url: (lead, url)
        for url in ("/rounds", "/rounds/new", f"/rounds/{rounds[0]}", f"/rounds/{rounds[1]}")
    }
    pages["compare"] = (lead, f"/rounds/compare?first={rounds[0]}&second={rounds[1]}")
    for number in rounds:
        pages[f"sheet{number}"] = (editor, f"/rounds/{number}/cities/dortmund")
    return pages


@pytest.mark.once  # the words of the pages, not of the database
def test_no_page_shows_english_of_the_catalogue_in_german(demo_app, clients):
    lead, editor, admin = clients["lead"], clients["editor"], clients["admin"]
    pages: dict[str, tuple[object, str]] = {url: (lead, url) for url in SIGNED_IN}
    for prefix in ("/plans/", "/actions/", "/milestones/"):
        url = first_link(lead, "/cities/dortmund", prefix)
        pages[url] = (lead, url)
    action = first_link(editor, "/cities/dortmund", "/actions/")
    plan = first_link(editor, "/cities/dortmund", "/plans/")
    for url in (
        "/my",
        f"{action}/edit",
        f"{action}/costs",
        f"{action}/indicators/new",
        f"{plan}/edit",
        f"{plan}/partners/new",
        f"{plan}/actions/new",
    ):
        pages[url] = (editor, url)
    for url in ("/admin/users", "/admin/audit", "/mentorships/new", "/cities/dortmund/remind"):
        pages[url] = (admin, url)
    user = first_link(admin, "/admin/users", "/admin/users/")
    for url in (f"{user}/edit",):
        pages[url] = (admin, url)
    pages.update(round_pages(lead, editor))
    demo_app.config["PUBLIC_PAGES"] = True
    anyone = demo_app.test_client()
    for url in (
        "/public/",
        "/public/cohort",
        "/public/cities/dortmund",
        "/public/cities/pescara",
        "/public/rounds",
    ):
        pages[url] = (anyone, url + "?lang=de")
    for url in ("/auth/login", "/auth/forgot", "/no-such-page"):
        pages[url] = (demo_app.test_client(), url)
    found = {}
    try:
        for name, (client, url) in pages.items():
            response = client.get(url, headers=GERMAN)
            assert response.status_code in (200, 404), (url, response.status_code)
            page = response.get_data(as_text=True)
            assert '<html lang="de">' in page, url
            if left := leftovers(page):
                found[name] = left
    finally:
        demo_app.config["PUBLIC_PAGES"] = False
    assert len(pages) > 30
    assert found == {}


def test_the_check_finds_a_leftover():
    assert "No deal status published yet" in english_fragments()
    assert "No deal status published yet" in leftovers(
        "<p>Hier steht: No deal status published yet.</p>"
    )
    chart = (
        '<script type="application/json" data-chart="c">'
        '{"layout": {"title": "days since the last update"}}</script>'
    )
    assert "days since the last update" in leftovers(chart)
    assert leftovers("<p>Noch kein Stand eines Deals veröffentlicht.</p>") == []
