"""Rule 4 end to end through the API: a person who chose Hà Nội online completes at the Hồ Chí Minh office."""

import json

from gddt.accounts.models import User
from gddt.audit.models import AuditEvent
from gddt.counter.tests.apiclient import CLIENT_IP, OfficerApi, number_of, url
from gddt.notifications.models import SmsMessage
from gddt.registrations.models import Document, Status
from gddt.registrations.numbers import dossier_qr_payload
from gddt_testing.factories import jpeg_bytes


def test_a_hanoi_dossier_is_found_completed_and_approved_at_the_hcm_office(adult_dossier, hcm_verifier, hcm_approver):
    verifier = OfficerApi(hcm_verifier)
    no = number_of(adult_dossier)

    # Found nationwide by every reference the person may bring.
    for reference in (
        no,
        adult_dossier.number,
        dossier_qr_payload(adult_dossier.number),
        adult_dossier.personal_id,
        adult_dossier.phone,
        "+84" + adult_dossier.phone[1:],
    ):
        response = verifier.get("/api/v1/office/dossiers", {"q": reference})
        assert response.status_code == 200, response.content
        assert no in [hit["dossier_no"] for hit in response.json()]
    response = verifier.post("/api/v1/office/dossiers/search", {"q": adult_dossier.personal_id})
    assert [hit["dossier_no"] for hit in response.json()] == [no]

    detail = verifier.get(url(adult_dossier))
    assert detail.status_code == 200
    assert detail.json()["office_code"] == "01"
    assert detail.json()["missing_documents"] == ["id_front", "id_back", "portrait", "signed_declaration"]

    # The photos the person did not send online are supplemented at the counter.
    for kind in ("id_front", "id_back", "portrait"):
        response = verifier.put_file(url(adult_dossier, f"/documents/{kind}"), jpeg_bytes(1200, 800))
        assert response.status_code == 200, response.content
        assert response.json()["document"]["supplied_by"] == "hcm.verifier"
        assert response.json()["document"]["supplied_at_office"] == "79"

    declaration = verifier.get(url(adult_dossier, "/declaration.pdf"))
    assert declaration.status_code == 200
    assert declaration["Content-Type"] == "application/pdf"
    assert declaration.content.startswith(b"%PDF")

    response = verifier.put_file(url(adult_dossier, "/documents/signed_declaration"), jpeg_bytes(1240, 1754))
    assert response.status_code == 200
    assert response.json()["missing_documents"] == []

    verified = verifier.post(url(adult_dossier, "/verify"), headers={"If-Match": response["ETag"]})
    assert verified.status_code == 200, verified.content
    assert verified.json()["status"] == "verified"

    approver = OfficerApi(hcm_approver)
    approved = approver.post(url(adult_dossier, "/approve"), headers={"Idempotency-Key": "approve-1"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["username"] == adult_dossier.personal_id

    account = User.objects.get(username=adult_dossier.personal_id)
    assert account.is_active and account.must_change_password and account.kind == "citizen"
    sms = SmsMessage.objects.get(dossier_id=adult_dossier.pk, template="approved")
    assert sms.to == adult_dossier.phone
    assert adult_dossier.personal_id in sms.text

    adult_dossier.refresh_from_db()
    assert adult_dossier.status == Status.APPROVED
    assert adult_dossier.completed_office.code == "79"
    assert adult_dossier.account == account
    transitions = {t.action: t for t in adult_dossier.transitions.all()}
    assert transitions["verify"].actor == hcm_verifier and transitions["verify"].office.code == "79"
    assert transitions["approve"].actor == hcm_approver and transitions["approve"].office.code == "79"
    assert Document.objects.filter(dossier=adult_dossier, source="counter").count() == 4

    guide = approver.get(url(adult_dossier, "/guide.pdf"))
    assert guide.status_code == 200 and guide.content.startswith(b"%PDF")

    # Every look and action was recorded with the officer, the office and the client's address.
    history = approver.get(url(adult_dossier, "/history")).json()
    actions = [event["action"] for event in history["events"]]
    for expected in (
        "dossier.search",
        "dossier.view",
        "document.supplement",
        "declaration.print",
        "dossier.verify",
        "dossier.approve",
        "guide.print",
        "history.view",
    ):
        assert expected in actions
    assert all(event["office_code"] == "79" and event["client_ip"] == CLIENT_IP for event in history["events"])
    assert [t["action"] for t in history["transitions"]] == ["submit", "verify", "approve"]
    assert history["transitions"][-1]["actor"] == "hcm.approver"
    assert adult_dossier.personal_id not in json.dumps(
        list(AuditEvent.objects.filter(dossier=adult_dossier).values_list("detail", flat=True))
    )
