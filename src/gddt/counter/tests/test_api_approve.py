"""Approval activates the account (rules 2, 6, 7, 11): never while incomplete, never by the verifier while the
office separates duties, exactly once."""

import threading

import pytest
from django.db import connection

from gddt.accounts.models import User
from gddt.accounts.services import officer_create
from gddt.audit.models import AuditEvent
from gddt.counter import services
from gddt.counter.tests.apiclient import OfficerApi, complete, url
from gddt.notifications.models import SmsMessage
from gddt.offices.models import Office
from gddt.registrations.models import Dossier, Status
from gddt_testing.personas import PERSONA_PASSWORD


def test_approval_activates_the_account_and_sends_the_password_by_sms(adult_dossier, hanoi_verifier, hanoi_approver):
    complete(adult_dossier, hanoi_verifier)
    response = OfficerApi(hanoi_approver).post(url(adult_dossier, "/approve"))
    assert response.status_code == 200, response.content
    assert response.json()["username"] == adult_dossier.personal_id
    assert response.json()["allowed_actions"] == []
    assert response["ETag"] == f'W/"{response.json()["version"]}"'
    account = User.objects.get(username=adult_dossier.personal_id)
    assert account.is_active and account.must_change_password and account.phone == adult_dossier.phone
    [sms] = SmsMessage.objects.filter(template="approved")
    assert sms.to == adult_dossier.phone and sms.dossier_id == adult_dossier.pk
    assert f"Ten dang nhap: {adult_dossier.personal_id}" in sms.text
    adult_dossier.refresh_from_db()
    assert adult_dossier.status == Status.APPROVED and adult_dossier.approved_by == hanoi_approver
    assert adult_dossier.account == account and adult_dossier.approved_at is not None
    event = AuditEvent.objects.get(action="dossier.approve")
    assert adult_dossier.personal_id not in str(event.detail)


def test_approval_is_refused_while_a_component_is_missing_and_lists_the_missing_kinds(
    minor_dossier, hcm_verifier, hcm_approver
):
    api = OfficerApi(hcm_verifier)
    for kind in ("portrait", "birth_certificate", "guardian_id_front"):
        api.supplement(minor_dossier, kind)
    assert api.post(url(minor_dossier, "/verify")).status_code == 200
    response = OfficerApi(hcm_approver).post(url(minor_dossier, "/approve"))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "missing_documents"
    assert body["missing_documents"] == ["guardian_id_back", "signed_declaration"]
    assert [e["field"] for e in body["errors"]] == ["guardian_id_back", "signed_declaration"]
    minor_dossier.refresh_from_db()
    assert minor_dossier.status == Status.VERIFIED and minor_dossier.account is None
    assert not SmsMessage.objects.filter(template="approved").exists()
    assert not User.objects.filter(username=minor_dossier.personal_id).exists()


def test_a_submitted_dossier_must_be_verified_before_approval(adult_dossier, hanoi_verifier, hanoi_approver):
    complete(adult_dossier, hanoi_verifier, verify=False)
    response = OfficerApi(hanoi_approver).post(url(adult_dossier, "/approve"))
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def _double_role_officer(office_code="79"):
    return officer_create(
        username="hcm.both",
        office=Office.objects.get(code=office_code),
        roles=["verifier", "approver"],
        password=PERSONA_PASSWORD,
    )


def test_the_officer_who_verified_may_not_approve_while_the_office_separates_duties(adult_dossier):
    both = _double_role_officer()
    complete(adult_dossier, both)
    api = OfficerApi(both)
    assert "approve" not in api.get(url(adult_dossier)).json()["allowed_actions"]
    response = api.post(url(adult_dossier, "/approve"))
    assert response.status_code == 403
    assert response.json()["code"] == "separation_of_duties"
    adult_dossier.refresh_from_db()
    assert adult_dossier.status == Status.VERIFIED


def test_the_officer_who_verified_may_approve_when_the_office_setting_is_off(adult_dossier):
    Office.objects.filter(code="79").update(separation_of_duties=False)
    both = _double_role_officer()
    complete(adult_dossier, both)
    api = OfficerApi(both)
    assert "approve" in api.get(url(adult_dossier)).json()["allowed_actions"]
    assert api.post(url(adult_dossier, "/approve")).status_code == 200


def test_a_stale_if_match_is_a_412_and_nothing_is_approved(adult_dossier, hanoi_verifier, hanoi_approver):
    complete(adult_dossier, hanoi_verifier)
    api = OfficerApi(hanoi_approver)
    stale = api.post(url(adult_dossier, "/approve"), headers={"If-Match": f'W/"{adult_dossier.version - 1}"'})
    assert stale.status_code == 412 and stale.json()["code"] == "stale_version"
    assert api.post(url(adult_dossier, "/approve"), headers={"If-Match": "v1"}).status_code == 400
    assert not User.objects.filter(username=adult_dossier.personal_id).exists()
    fresh = api.post(url(adult_dossier, "/approve"), headers={"If-Match": f'W/"{adult_dossier.version}"'})
    assert fresh.status_code == 200


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(adult_dossier, hanoi_verifier, hanoi_approver):
    complete(adult_dossier, hanoi_verifier)
    api = OfficerApi(hanoi_approver)
    first = api.post(url(adult_dossier, "/approve"), headers={"Idempotency-Key": "k-1"})
    again = api.post(url(adult_dossier, "/approve"), headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert SmsMessage.objects.filter(template="approved").count() == 1
    assert AuditEvent.objects.filter(action="dossier.approve").count() == 1
    without_key = api.post(url(adult_dossier, "/approve"))
    assert without_key.status_code == 409


def test_the_same_idempotency_key_with_another_request_is_a_422(
    adult_dossier, minor_dossier, hanoi_verifier, hanoi_approver
):
    complete(adult_dossier, hanoi_verifier)
    api = OfficerApi(hanoi_approver)
    assert api.post(url(adult_dossier, "/approve"), headers={"Idempotency-Key": "k-2"}).status_code == 200
    response = api.post(url(minor_dossier, "/approve"), headers={"Idempotency-Key": "k-2"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert api.post(url(adult_dossier, "/approve"), headers={"Idempotency-Key": "é" * 3}).status_code == 400


def test_a_refused_approval_keeps_no_idempotency_record_so_it_can_be_retried(
    adult_dossier, hanoi_verifier, hanoi_approver
):
    complete(adult_dossier, hanoi_verifier, verify=False)
    api = OfficerApi(hanoi_approver)
    assert api.post(url(adult_dossier, "/approve"), headers={"Idempotency-Key": "k-3"}).status_code == 409
    OfficerApi(hanoi_verifier).post(url(adult_dossier, "/verify"))
    assert api.post(url(adult_dossier, "/approve"), headers={"Idempotency-Key": "k-3"}).status_code == 200


def test_the_approve_service_returns_the_username(adult_dossier, hanoi_verifier, hcm_approver):
    complete(adult_dossier, hanoi_verifier)
    found = services.dossier_for_officer(officer=hcm_approver, dossier_no=adult_dossier.number, action="approve")
    approval = services.dossier_approve(officer=hcm_approver, dossier=found, client_ip=None)
    assert approval.username == adult_dossier.personal_id
    assert approval.dossier.status == Status.APPROVED
    assert approval.dossier.completed_office.code == "79"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_approve_exactly_once(reference):
    from gddt.registrations.services import registration_submit
    from gddt_testing.factories import adult_data

    verifier = officer_create(
        username="pg.verifier", office=Office.objects.get(code="01"), roles=["verifier"], password=PERSONA_PASSWORD
    )
    approvers = [
        officer_create(
            username=f"pg.approver{i}",
            office=Office.objects.get(code=code),
            roles=["approver"],
            password=PERSONA_PASSWORD,
        )
        for i, code in enumerate(("01", "79"))
    ]
    dossier = Dossier.objects.get(pk=registration_submit(data=adult_data(), files={}).dossier_id)
    complete(dossier, verifier)
    apis = [OfficerApi(approver) for approver in approvers]
    barrier = threading.Barrier(len(apis))
    statuses: list[int] = []

    def approve(api: OfficerApi) -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(api.post(url(dossier, "/approve")).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(api,)) for api in apis]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200, 409]
    assert User.objects.filter(username=dossier.personal_id).count() == 1
    assert SmsMessage.objects.filter(dossier_id=dossier.pk, template="approved").count() == 1
    assert AuditEvent.objects.filter(dossier=dossier, action="dossier.approve").count() == 1
    assert dossier.transitions.filter(action="approve").count() == 1
