"""Small helpers shared by the test modules: signing in, reading pages and forms, uploads, and
the fingerprint of what is stored."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.factories import PASSWORD, make_user
from tracker.extensions import db
from tracker.models import Base

# The signed-in dashboards, each with the demo data's richest city where a page is a city's.
DASHBOARDS = [
    "/",
    "/cohort",
    "/mentorships",
    "/milestones",
    "/cities",
    "/cities/dortmund",
    "/cities/dortmund/climate",
    "/cities/bamberg",
]


# A mentorship the demo data does not have: Trento mentoring Pesaro from April 2024.
NEW_PAIR = {"mentor": "trento", "mentee": "pesaro", "since_on": "2024-04-01", "sector_id": "None"}


def login(client: FlaskClient, email: str, password: str = PASSWORD, **kwargs):
    return client.post("/auth/login", data={"email": email, "password": password}, **kwargs)


def signed_in_client(app, role: str = "viewer", **user) -> FlaskClient:
    """A client of `app` signed in as a new user of `role` (`city`, `email` as for make_user)."""
    client = app.test_client()
    login(client, make_user(role, **user).email)
    return client


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def row_counts() -> dict[str, int]:
    """Rows per table: the fingerprint tests compare to show that nothing was stored."""
    return {
        table.name: db.session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for table in Base.metadata.sorted_tables
    }


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table: equal snapshots mean nothing was written."""
    result = {}
    for table in Base.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        result[table.name] = [tuple(row) for row in rows]
    return result


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def visible_text(response) -> str:
    """What a reader sees of a page: its text without scripts and markup, entities read, white
    space collapsed (the no-break space kept)."""
    import html

    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def upload(client, kind: str, content: bytes, name: str = "data.csv", apply: bool = True):
    """Send a file to /import and, unless `apply` is false, confirm its preview."""
    from tracker.models import ImportBatch

    preview = client.post(
        "/import",
        data={"kind": kind, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    if preview.status_code != 200 or not apply:
        return preview
    batch = db.session.scalars(
        sa.select(ImportBatch).order_by(ImportBatch.created_at.desc())
    ).first()
    assert batch is not None, "the preview stored no batch"
    return client.post(f"/import/{batch.id}/apply")


class _FormReader(HTMLParser):
    """The fields of the form posting to `action`, as a browser would send them."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.fields: dict[str, str] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action
        elif self.inside:
            handler = getattr(self, f"_start_{tag}", None)
            if handler is not None:
                handler(a)

    def _start_input(self, a: dict[str, str]) -> None:
        if not a.get("name") or a.get("type") == "submit":
            return
        if a.get("type") != "checkbox":
            self.fields[a["name"]] = a.get("value", "")
        elif "checked" in a:
            self.fields[a["name"]] = a.get("value") or "y"

    def _start_select(self, a: dict[str, str]) -> None:
        self.select = a.get("name")

    def _start_option(self, a: dict[str, str]) -> None:
        if self.select is None:
            return
        # The first option stands until one is marked selected.
        if self.select not in self.fields or "selected" in a:
            self.fields[self.select] = a.get("value", "")

    def _start_textarea(self, a: dict[str, str]) -> None:
        self.textarea = a.get("name") or ""
        self.fields[self.textarea] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.fields[self.textarea] += data.removeprefix("\n")


def form_fields(html: str, action: str) -> dict[str, str]:
    """What a browser would send for the form posting to `action`, as the page filled it in:
    inputs with their values, checked boxes, each select's selected option, textareas."""
    reader = _FormReader(action)
    reader.feed(html)
    return reader.fields
