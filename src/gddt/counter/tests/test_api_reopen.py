"""Reopening an expired dossier when the person turns up after the deadline, with a note."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from gddt.audit.models import AuditEvent
from gddt.counter.tests.apiclient import OfficerApi, url
from gddt.notifications.models import SmsMessage
from gddt.registrations.models import Dossier, Status
from gddt.registrations.services import dossiers_expire_due, registration_submit
from gddt_testing.factories import adult_data


def _expire(dossier: Dossier) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1), reminder_sent_at=timezone.now() - timedelta(days=3)
    )
    assert dossiers_expire_due() >= 1
    dossier.refresh_from_db()
    assert dossier.status == Status.EXPIRED


def test_an_expired_dossier_is_reopened_with_a_new_deadline_and_an_sms(adult_dossier, hcm_verifier):
    _expire(adult_dossier)
    response = OfficerApi(hcm_verifier).post(url(adult_dossier, "/reopen"), {"note": "Người dân đến muộn"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    adult_dossier.refresh_from_db()
    assert adult_dossier.status == Status.SUBMITTED and adult_dossier.reminder_sent_at is None
    expected = timezone.now() + timedelta(days=settings.GDDT_DOSSIER_TTL_DAYS)
    assert abs((adult_dossier.expires_at - expected).total_seconds()) < 60
    transition = adult_dossier.transitions.get(action="reopen")
    assert (transition.note, transition.actor, transition.office.code) == ("Người dân đến muộn", hcm_verifier, "79")
    assert SmsMessage.objects.filter(template="reopened", to=adult_dossier.phone).count() == 1
    assert AuditEvent.objects.filter(action="dossier.reopen", dossier=adult_dossier).count() == 1


def test_a_reopening_needs_a_note(adult_dossier, hcm_verifier):
    _expire(adult_dossier)
    response = OfficerApi(hcm_verifier).post(url(adult_dossier, "/reopen"), {"note": "  "})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "note"
    assert OfficerApi(hcm_verifier).post(url(adult_dossier, "/reopen"), {}).status_code == 422


def test_only_an_expired_dossier_is_reopened(adult_dossier, hcm_verifier):
    response = OfficerApi(hcm_verifier).post(url(adult_dossier, "/reopen"), {"note": "x"})
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    OfficerApi(hcm_verifier).post(url(adult_dossier, "/reject"), {"reason_code": "person_withdrew"})
    assert OfficerApi(hcm_verifier).post(url(adult_dossier, "/reopen"), {"note": "x"}).status_code == 409


def test_an_expired_dossier_is_not_reopened_when_the_person_has_registered_again(adult_dossier, hcm_verifier):
    _expire(adult_dossier)
    registration_submit(
        data=adult_data(
            personal_id=adult_dossier.personal_id,
            id_document={
                "type": "cccd",
                "number": adult_dossier.personal_id,
                "issued_on": "2021-04-01",
                "issued_by": "C06",
            },
        ),
        files={},
    )
    response = OfficerApi(hcm_verifier).post(url(adult_dossier, "/reopen"), {"note": "x"})
    assert response.status_code == 409 and response.json()["code"] == "open_dossier_exists"
    adult_dossier.refresh_from_db()
    assert adult_dossier.status == Status.EXPIRED


def test_a_stale_if_match_is_a_412(adult_dossier, hcm_verifier):
    _expire(adult_dossier)
    response = OfficerApi(hcm_verifier).post(
        url(adult_dossier, "/reopen"), {"note": "x"}, headers={"If-Match": 'W/"1"'}
    )
    assert response.status_code == 412
