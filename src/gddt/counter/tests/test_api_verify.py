"""Verification at the counter: the office that verifies is recorded as the completing office (rule 4)."""

from gddt.audit.models import AuditEvent
from gddt.counter.tests.apiclient import OfficerApi, url
from gddt.registrations.models import Status


def test_verifying_records_who_and_where_and_moves_the_dossier_on(adult_dossier, hcm_verifier):
    version = adult_dossier.version
    response = OfficerApi(hcm_verifier).post(url(adult_dossier, "/verify"), headers={"If-Match": f'"{version}"'})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "verified" and body["version"] == version + 1
    assert body["completed_office_code"] == "79"
    assert body["missing_documents"] == ["id_front", "id_back", "portrait", "signed_declaration"]
    adult_dossier.refresh_from_db()
    assert adult_dossier.status == Status.VERIFIED
    assert adult_dossier.verified_by == hcm_verifier and adult_dossier.verified_at is not None
    assert adult_dossier.completed_office.code == "79"
    transition = adult_dossier.transitions.get(action="verify")
    assert (transition.actor, transition.office.code, transition.from_status) == (hcm_verifier, "79", "submitted")
    event = AuditEvent.objects.get(action="dossier.verify")
    assert event.actor == hcm_verifier and event.office.code == "79"


def test_a_verified_dossier_cannot_be_verified_again(adult_dossier, hcm_verifier):
    api = OfficerApi(hcm_verifier)
    assert api.post(url(adult_dossier, "/verify")).status_code == 200
    response = api.post(url(adult_dossier, "/verify"))
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


def test_a_stale_if_match_is_a_412(adult_dossier, hcm_verifier):
    response = OfficerApi(hcm_verifier).post(url(adult_dossier, "/verify"), headers={"If-Match": 'W/"0"'})
    assert response.status_code == 412
    adult_dossier.refresh_from_db()
    assert adult_dossier.status == Status.SUBMITTED


def test_a_retried_verification_with_its_key_is_answered_once(adult_dossier, hcm_verifier):
    api = OfficerApi(hcm_verifier)
    first = api.post(url(adult_dossier, "/verify"), headers={"Idempotency-Key": "v-1"})
    again = api.post(url(adult_dossier, "/verify"), headers={"Idempotency-Key": "v-1"})
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert adult_dossier.transitions.filter(action="verify").count() == 1
