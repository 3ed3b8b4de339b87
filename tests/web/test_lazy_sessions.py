"""The session cookie is checked and decoded only when something reads the session: a request
that does not (a health check) costs nothing of it and leaves the cookie as it is, and a cookie
with a bad signature still signs nobody in."""

from __future__ import annotations

from tests.factories import make_user
from tests.helpers import csrf_token, login
from tracker import sessions


def cookie_of(client, app) -> str | None:
    found = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return found.value if found is not None else None


def test_a_request_that_reads_no_session_leaves_the_cookie_as_it_is(client, app):
    make_user("lead")
    login(client, "lead-all@example.org")
    before = cookie_of(client, app)
    assert before
    response = client.get("/livez")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.vary
    assert cookie_of(client, app) == before
    # A page that reads it: the sign-in holds, from the same cookie, and the page says it
    # varies by it.
    page = client.get("/")
    assert page.status_code == 200
    assert "Cookie" in page.vary


def test_a_cookie_with_a_bad_signature_signs_nobody_in(client, app):
    make_user("lead")
    login(client, "lead-all@example.org")
    good = cookie_of(client, app)
    assert good
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], good[:-4] + "AAAA")
    assert client.get("/livez").status_code == 200
    response = client.get("/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_signing_out_still_ends_the_sign_in(client, app):
    make_user("lead")
    login(client, "lead-all@example.org")
    token = csrf_token(client.get("/").get_data(as_text=True))
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_a_lazy_session_reads_and_writes_as_a_dict_does():
    opened = sessions.LazySession(lambda: {"a": 1, "b": 2})
    assert not opened.loaded
    assert len(opened) == 2
    assert opened.loaded
    assert not opened.modified  # reading the cookie is not a change
    assert dict(opened) == {"a": 1, "b": 2}
    assert sorted(opened) == ["a", "b"]
    opened["c"] = 3
    assert opened.modified
    assert opened.pop("a") == 1
    assert "a" not in opened
    assert sessions.LazySession(lambda: None).get("x") is None  # a bad cookie reads as empty
    written = sessions.LazySession(lambda: {"x": 1})
    written["y"] = 2  # a write before any read keeps what the cookie held
    assert dict(written) == {"x": 1, "y": 2}
