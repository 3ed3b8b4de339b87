"""Schemathesis over every operation of the API, in-process through WSGI: no 5xx, every
response matches the document, and writes refuse what the document forbids."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="Schemathesis is not installed")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers import make_action, make_plan, make_user  # noqa: E402
from tracker.api.openapi import document  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import ApiToken  # noqa: E402
from tracker.services import tokens  # noqa: E402

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    negative_data_rejection,
]


# A token known before the tests are collected, so Schemathesis applies it as the document's
# bearer scheme (and so knows which requests lack it on purpose).
FUZZ_TOKEN = "icc_schemathesis-fuzzing-token"
CONFIG = schemathesis.Config.from_str(f"""
[auth.openapi.bearerAuth]
bearer = "{FUZZ_TOKEN}"
""")


@pytest.fixture
def lead_token(app):  # type: ignore[no-untyped-def]
    lead = make_user("lead", email="fuzz@example.org")
    db.session.add(
        ApiToken(
            user_id=lead.id,
            name="fuzz",
            token_hash=tokens._hash(FUZZ_TOKEN),
            prefix=FUZZ_TOKEN[:12],
        )
    )
    make_action(make_plan("bamberg"))
    db.session.commit()
    return FUZZ_TOKEN


# The document is built without a database, so it can be loaded when the tests are collected.
schema = schemathesis.openapi.from_dict(document(), config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_every_operation_keeps_to_its_document(case, app, lead_token):
    case.call_and_validate(app=app, checks=CHECKS)
