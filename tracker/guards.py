"""What every request is checked for and every answer carries: no NUL character in any field,
and the security headers (cache rules, content security policy, and which host answered)."""

from __future__ import annotations

from flask import Flask, Response, abort, request

# No inline script anywhere (figures travel as JSON data blocks), so scripts may come only from
# the app itself. Styles allow inline: plotly.js sets them at run time, and bars use widths.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


CACHEABLE = frozenset({"static"})
PUBLIC_MAX_AGE = 300  # seconds a shared cache may keep a public page


def register(app: Flask) -> None:
    register_input_guard(app)
    register_security_headers(app)


def register_input_guard(app: Flask) -> None:
    @app.before_request
    def refuse_nul() -> None:
        """No field anywhere may hold a NUL character (PostgreSQL cannot store one): a request
        that carries one in its path, query or form is refused before anything reads it."""
        # A NUL in the query's names or values comes as %00 (or as itself): read the raw query
        # string rather than parsing it for every request.
        query = request.environ.get("QUERY_STRING", "")
        values = [request.environ.get("PATH_INFO", ""), query.replace("%00", "\x00")]
        if request.method not in {"GET", "HEAD"}:
            values += [*request.form.values(), *request.form.keys()]
        if any("\x00" in value for value in values):
            abort(400, "The request contains a NUL character, which no field may hold.")


def register_security_headers(app: Flask) -> None:
    # Behind a load balancer, which host answered (TRACKER_SERVED_BY; unset: not said).
    served_by = app.config.get("SERVED_BY")
    fixed = [
        ("content-security-policy", "Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("x-content-type-options", "X-Content-Type-Options", "nosniff"),
        ("referrer-policy", "Referrer-Policy", "strict-origin-when-cross-origin"),
        ("x-frame-options", "X-Frame-Options", "DENY"),
    ]

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        # Answers may carry a signed-in person's or a token's data: no cache keeps them. Only
        # the public static files (versioned plotly.js, the stylesheet) may be cached.
        if request.blueprint == "public" and response.status_code == 200:
            # The public view holds nothing of anyone signed in: any cache may keep it a while.
            headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        elif request.endpoint not in CACHEABLE:
            headers["Cache-Control"] = "no-store"
        # Each set unless the view set its own (one pass over the headers, not one per name).
        present = {name.lower() for name in headers.keys()}  # noqa: SIM118 (Headers)
        hsts = app.config.get("HSTS")
        if hsts and "strict-transport-security" not in present:
            headers.add("Strict-Transport-Security", hsts)
        for lower, name, value in fixed:
            if lower not in present:
                headers.add(name, value)
        if served_by:
            headers["X-Served-By"] = served_by
        return response
