"""The API against its own OpenAPI schema, with generated requests (schemathesis): no request, however
odd, answers 5xx, and every answer matches the schema, for the hotline, factory QA and the mail room.

Bounded, so that it runs with every ./scripts/test: EXAMPLES generated requests per operation and
role, no shrinking, derandomized (the same requests each run; a failure reproduces). The requests go
to the WSGI application in this process, against the test database with the standard cast and a
case at each stage, so the generated references, ids and bodies meet real rows now and then too.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings as hypothesis_settings
from accounts.models import ApiToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from defects.models import State

EXAMPLES = 8
ROLES = ("hotline", "qa_kyu", "mailroom")


def load_schema():
    from drf_spectacular.generators import SchemaGenerator

    from config.wsgi import application

    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = application  # requests go to the WSGI app in this process
    return loaded


OPERATIONS = [result.ok() for result in load_schema().get_all_operations()]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Schemathesis calls the WSGI app directly, not through Django's test client, so each request would
    close the database connection (close_old_connections on request_started/finished), and with it the
    test's transaction on PostgreSQL. Django's test client disconnects the same handler."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(cast, make_case):
    for state in (State.RECEIVED, State.AWAITING_RETURN, State.INVESTIGATING):
        make_case(state)
    return {role: ApiToken.objects.create(cast[role])[1] for role in ROLES}


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_no_request_answers_5xx_or_breaks_the_schema(operation, tokens):
    @given(case=operation.as_strategy())
    @hypothesis_settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def generated(case):
        for role in ROLES:
            case.call_and_validate(headers={"Authorization": f"Token {tokens[role]}"},
                                   checks=[not_a_server_error, response_schema_conformance])

    generated()
