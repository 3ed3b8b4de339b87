"""Schemathesis over every operation of the API, in-process through WSGI: no 5xx, every
response matches the document, and writes refuse what the document forbids."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="Schemathesis is not installed")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import CHECKS as ALL_CHECKS  # noqa: E402
from schemathesis.specs.openapi import checks as _openapi  # noqa: E402, F401  (registers them)

from tests.conftest import build_app, fresh_database, served  # noqa: E402
from tests.factories import make_action, make_plan, make_user  # noqa: E402
from tracker.api.openapi import document  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import ApiToken  # noqa: E402
from tracker.services import tokens  # noqa: E402

# Every check Schemathesis has (as `schemathesis run --checks all`).
CHECKS = list(ALL_CHECKS.get_all())


# A token known before the tests are collected, so Schemathesis applies it as the document's
# bearer scheme (and so knows which requests lack it on purpose).
FUZZ_TOKEN = "icc_schemathesis-fuzzing-token"
# A request the document forbids may be refused with any of the app's documented refusals;
# besides Schemathesis's list, 413 (a body too large) and 414 (a query string over 2,048
# bytes: a long run of repeated parameters is such a request).
CONFIG = schemathesis.Config.from_str(f"""
[auth.openapi.bearerAuth]
bearer = "{FUZZ_TOKEN}"

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "422",
                     "428", "429", "5xx"]
""")


@pytest.fixture(scope="module")
def served_api(backend, tmp_path_factory):
    """The app served over HTTP on loopback, on a database of its own with the facts, a lead
    whose token is FUZZ_TOKEN, and an action: every check (some send requests of their own)
    talks to it as a client would."""
    with fresh_database(backend, tmp_path_factory) as url:
        app = build_app(url, tmp_path_factory.mktemp("fuzz-instance"), demo=False)
        app.config["TOKEN_FAILURE_RATE_LIMIT"] = "100000 per minute"
        with app.app_context():
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
            db.session.remove()
        with served(app) as address:
            yield address


# The document is built without a database, so it can be loaded when the tests are collected.
schema = schemathesis.openapi.from_dict(document(), config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_every_operation_keeps_to_its_document(case, served_api):
    case.call_and_validate(base_url=served_api, checks=CHECKS)
