"""Schemathesis generates requests for EVERY operation of the OpenAPI document (docs/openapi.json, as committed) and
checks that the server never fails (no 5xx) and that every answer matches the document. Officers' operations are
called with an officer's token on a real dossier, citizens' with a citizen's token; the examples are bounded and
never timed (CI runs them as they are)."""

from dataclasses import dataclass

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from gddt.accounts.auth import api_token_create, citizen_token_create
from gddt.accounts.models import User
from gddt.accounts.services import officer_create
from gddt.counter import services
from gddt.counter.tests.apiclient import complete, number_of
from gddt.offices.models import Office
from gddt.registrations.models import Dossier
from gddt.registrations.services import registration_submit
from gddt.wsgi import application
from gddt_testing.factories import adult_data
from gddt_testing.personas import PERSONA_PASSWORD

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

EXAMPLES = 12  # per operation: every operation is run, each a bounded number of times


@dataclass(frozen=True)
class World:
    officer_token: str
    citizen_token: str
    dossier_no: str  # an open dossier the officer may act on
    approved_no: str  # the citizen's approved dossier (prints the VssID guide)


@pytest.fixture
def keep_the_test_connection():
    """Like Django's test client: the request cycle must not close the connection holding the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, hanoi_verifier, hcm_approver) -> World:
    """An officer of every counter role and a director's, a dossier verified by another officer (so that approving,
    rejecting, correcting and supplementing all have something to act on), and an approved citizen."""
    officer = officer_create(
        username="fuzz.officer",
        office=Office.objects.get(code="01"),
        roles=["verifier", "approver", "director"],
        password=PERSONA_PASSWORD,
    )
    open_dossier = Dossier.objects.get(pk=registration_submit(data=adult_data(), files={}).dossier_id)
    complete(open_dossier, hanoi_verifier)
    approved = Dossier.objects.get(pk=registration_submit(data=adult_data(), files={}).dossier_id)
    complete(approved, hanoi_verifier)
    found = services.dossier_for_officer(officer=hcm_approver, dossier_no=approved.number, action="approve")
    approval = services.dossier_approve(officer=hcm_approver, dossier=found, client_ip=None)
    citizen = User.objects.get(username=approval.username)
    return World(
        officer_token=api_token_create(user=officer),
        citizen_token=citizen_token_create(user=citizen),
        dossier_no=number_of(open_dossier),
        approved_no=number_of(approved),
    )


def _headers(case, world: World) -> dict[str, str]:
    schemes = {name for scheme in (case.operation.definition.raw.get("security") or []) for name in scheme}
    if "OfficerBearer" in schemes:
        return {"Authorization": f"Bearer {world.officer_token}"}
    if "CitizenBearer" in schemes:
        return {"Authorization": f"Bearer {world.citizen_token}"}
    return {}


@pytest.mark.usefixtures("keep_the_test_connection")
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_never_fails_and_keeps_to_its_document(case, world):
    if case.path_parameters and "dossier_no" in case.path_parameters:
        guide = case.operation.path.endswith("/guide.pdf")
        case.path_parameters["dossier_no"] = world.approved_no if guide else world.dossier_no
    # Schema-valid data may still break a rule JSON Schema cannot say (the personal ID cross-check): a 422 then.
    case.call_and_validate(
        headers=_headers(case, world), excluded_checks=[schemathesis.checks.positive_data_acceptance]
    )
