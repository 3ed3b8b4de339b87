"""Flask's signed-cookie sessions, read only when something reads them. A request that brings
no session cookie gets an empty session without a signer being built; one that brings a cookie
has it checked and decoded on the first read (most requests of a signed-in browser read it,
to load the account; a health check or a static file never does); and a session nothing read
or changed is not written back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature


class LazySession(SecureCookieSession):
    """A session whose cookie is checked and decoded when it is first read or changed; a cookie
    with a bad or expired signature reads as an empty session (as Flask's own does)."""

    def __init__(self, load: Callable[[], dict[str, Any] | None]) -> None:
        super().__init__()
        self._pending: Callable[[], dict[str, Any] | None] | None = load

    @property
    def loaded(self) -> bool:
        return self._pending is None

    def _load(self) -> None:
        if self._pending is not None:
            load, self._pending = self._pending, None
            dict.update(self, load() or {})  # not a change: the cookie said so

    # Every read and every change loads first.
    def __getitem__(self, key: str) -> Any:
        self._load()
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._load()
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        self._load()
        return super().__iter__()

    def __len__(self) -> int:
        self._load()
        return super().__len__()

    def __repr__(self) -> str:
        self._load()
        return super().__repr__()

    def get(self, key: str, default: Any = None) -> Any:
        self._load()
        return super().get(key, default)

    def keys(self) -> Any:
        self._load()
        return super().keys()

    def values(self) -> Any:
        self._load()
        return super().values()

    def items(self) -> Any:
        self._load()
        return super().items()

    def copy(self) -> dict[str, Any]:
        self._load()
        return dict(super().items())

    def __setitem__(self, key: str, value: Any) -> None:
        self._load()
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self._load()
        super().__delitem__(key)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self._load()
        return super().setdefault(key, default)

    def pop(self, key: str, *default: Any) -> Any:
        self._load()
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, Any]:
        self._load()
        return super().popitem()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._load()
        super().update(*args, **kwargs)

    def clear(self) -> None:
        self._load()
        super().clear()


OPENED = "tracker.session"  # the request's session, in its WSGI environment


def in_use(request: Request) -> bool:
    """Whether this request's session holds anything read or put there (without reading a
    cookie nothing asked for, and without marking the answer `Vary: Cookie`)."""
    session = request.environ.get(OPENED)
    if isinstance(session, LazySession) and not session.loaded:
        return False
    return bool(session)


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, opened lazily (LazySession)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        session = self._open(app, request)
        request.environ[OPENED] = session
        return session

    def _open(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not app.secret_key:
            return None  # Flask's null session: it says why a write fails
        value = request.cookies.get(self.get_cookie_name(app))
        if value is None:
            return self.session_class()

        def load() -> dict[str, Any] | None:
            signer = self.get_signing_serializer(app)
            if signer is None:
                return None
            try:
                return signer.loads(
                    value, max_age=int(app.permanent_session_lifetime.total_seconds())
                )
            except BadSignature:
                return None

        return LazySession(load)

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if isinstance(session, LazySession) and not session.loaded:
            return  # nothing read it or changed it: the browser's cookie stands as it is
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)
