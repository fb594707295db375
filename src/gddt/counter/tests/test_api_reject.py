"""Rejecting a dossier for a stated reason; missing photos are never one (rule 1)."""

import pytest

from gddt.audit.models import AuditEvent
from gddt.counter import services
from gddt.counter.tests.apiclient import OfficerApi, complete, url
from gddt.notifications.models import SmsMessage
from gddt.registrations.models import Status


def test_a_rejection_with_a_valid_reason_tells_the_person_by_sms(adult_dossier, hcm_verifier):
    response = OfficerApi(hcm_verifier).post(
        url(adult_dossier, "/reject"), {"reason_code": "identity_mismatch", "note": "Ảnh không khớp"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected"
    adult_dossier.refresh_from_db()
    assert adult_dossier.status == Status.REJECTED and adult_dossier.reject_reason == "identity_mismatch"
    [sms] = SmsMessage.objects.filter(template="rejected")
    assert sms.to == adult_dossier.phone
    assert adult_dossier.number[:2] in sms.text and "tu choi" in sms.text
    transition = adult_dossier.transitions.get(action="reject")
    assert (transition.reason, transition.note, transition.actor) == (
        "identity_mismatch",
        "Ảnh không khớp",
        hcm_verifier,
    )
    assert AuditEvent.objects.get(action="dossier.reject").detail == {"reason_code": "identity_mismatch"}


def test_missing_documents_is_never_a_reason_to_reject(adult_dossier, hanoi_verifier):
    response = OfficerApi(hanoi_verifier).post(url(adult_dossier, "/reject"), {"reason_code": "missing_documents"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason_code"
    assert response.json()["errors"][0]["code"] == "not_a_reason"
    adult_dossier.refresh_from_db()
    assert adult_dossier.status == Status.SUBMITTED
    assert not SmsMessage.objects.filter(template="rejected").exists()


@pytest.mark.parametrize("body", [{"reason_code": "bad_mood"}, {"reason_code": ""}, {}])
def test_an_unknown_or_absent_reason_is_refused_naming_reason_code(adult_dossier, hanoi_verifier, body):
    response = OfficerApi(hanoi_verifier).post(url(adult_dossier, "/reject"), body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason_code"


def test_the_reason_other_needs_a_note(adult_dossier, hanoi_verifier):
    response = OfficerApi(hanoi_verifier).post(url(adult_dossier, "/reject"), {"reason_code": "other", "note": ""})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "note"


def test_an_approver_may_reject_a_verified_dossier(adult_dossier, hanoi_verifier, hcm_approver):
    complete(adult_dossier, hanoi_verifier)
    response = OfficerApi(hcm_approver).post(url(adult_dossier, "/reject"), {"reason_code": "forged_document"})
    assert response.status_code == 200


def test_an_approved_dossier_cannot_be_rejected(adult_dossier, hanoi_verifier, hanoi_approver):
    complete(adult_dossier, hanoi_verifier)
    OfficerApi(hanoi_approver).post(url(adult_dossier, "/approve"))
    response = OfficerApi(hanoi_verifier).post(url(adult_dossier, "/reject"), {"reason_code": "other", "note": "x"})
    assert response.status_code == 409


def test_a_stale_if_match_is_a_412(adult_dossier, hanoi_verifier):
    response = OfficerApi(hanoi_verifier).post(
        url(adult_dossier, "/reject"), {"reason_code": "person_withdrew"}, headers={"If-Match": 'W/"42"'}
    )
    assert response.status_code == 412


def test_every_reason_has_a_label_in_both_languages():
    for code in services.REJECT_REASONS:
        assert services.reject_reason_label(code, language="en")
        assert services.reject_reason_label(code, language="vi") != services.reject_reason_label(code, language="en")
