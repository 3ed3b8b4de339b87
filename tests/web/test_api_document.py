"""The OpenAPI document and the app agree: every API route has a documented operation and every
documented operation a route, so no endpoint can go undocumented."""

from __future__ import annotations

import re

from tracker.api.openapi import document

UNDOCUMENTED = {"/api/v1/openapi.json", "/api/v1/docs"}  # the document itself and its page


def test_every_api_route_is_documented_and_every_operation_served(app):
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule in UNDOCUMENTED:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        served |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {
        (path, method)
        for path, operations in document()["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert served == documented
