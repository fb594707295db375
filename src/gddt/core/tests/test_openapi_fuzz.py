"""Schemathesis generates requests from the OpenAPI document of the public endpoints and checks that the server
never fails (no 5xx) and that answers match the document."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from gddt.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex=r"^/api/v1/(registrations|offices|provinces|health)")


@pytest.fixture
def keep_the_test_connection():
    """Like Django's test client: the request cycle must not close the connection holding the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_the_test_connection")
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_public_endpoints_never_fail_and_keep_to_their_document(case):
    # Schema-valid data may still break a rule JSON Schema cannot say (the personal ID cross-check): a 422 then.
    case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])
