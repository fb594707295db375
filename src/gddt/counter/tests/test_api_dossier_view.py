"""Looking at a dossier and its photos (rule 12: every look is recorded)."""

import hashlib

from gddt.audit.models import AuditEvent
from gddt.counter import services
from gddt.counter.tests.apiclient import CLIENT_IP, OfficerApi, number_of, url
from gddt.registrations.models import Dossier
from gddt.registrations.services import registration_submit
from gddt_testing.factories import jpeg_bytes, minor_data


def test_the_dossier_has_every_field_of_the_registration_its_state_and_an_etag(adult_dossier, hcm_verifier):
    response = OfficerApi(hcm_verifier).get(url(adult_dossier))
    assert response.status_code == 200
    assert response["ETag"] == f'W/"{adult_dossier.version}"'
    assert response["Cache-Control"] == "private, no-store"
    body = response.json()
    assert body["dossier_no"] == number_of(adult_dossier)
    assert body["version"] == adult_dossier.version
    assert body["status"] == "submitted" and body["category"] == "with_id_card"
    assert body["full_name"] == "Nguyễn Văn An" and body["date_of_birth"] == "1990-05-17" and body["sex"] == "male"
    assert body["personal_id"] == adult_dossier.personal_id and body["nationality"] == "VN"
    assert body["id_document"] == {
        "type": "cccd",
        "number": adult_dossier.personal_id,
        "issued_on": "2021-04-01",
        "issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
    }
    assert body["birth_certificate"] is None and body["guardian"] is None
    assert body["address"]["province_code"] == "01" and body["address"]["ward_code"] == "00070"
    assert body["address"]["province_name"] and body["address"]["ward_name"]
    assert body["address"]["street"] == "12 Tràng Tiền"
    assert body["phone"] == "0912345678" and body["email"] == "an.nguyen@example.vn"
    assert body["office_code"] == "01" and body["completed_office_code"] is None
    assert body["submitted_at"] and body["expires_at"]
    assert body["missing_documents"] == ["id_front", "id_back", "portrait", "signed_declaration"]
    assert body["allowed_actions"] == ["verify", "reject"]
    assert body["documents"] == []
    assert body["transitions"][0]["action"] == "submit" and body["transitions"][0]["to_status"] == "submitted"


def test_a_minors_dossier_shows_the_birth_certificate_and_the_guardian(minor_dossier, hanoi_approver):
    body = OfficerApi(hanoi_approver).get(url(minor_dossier)).json()
    assert body["id_document"] is None
    assert body["birth_certificate"]["number"] == "123/2017"
    assert body["guardian"]["relationship"] == "mother" and body["guardian"]["phone"] == "0987654321"
    assert body["allowed_actions"] == ["reject"]  # an approver approves only verified dossiers


def test_the_documents_list_who_supplied_them_and_where(hcm_verifier):
    data = minor_data()
    submission = registration_submit(data=data, files={"portrait": _upload(jpeg_bytes(900, 900))})
    dossier = Dossier.objects.get(pk=submission.dossier_id)
    api = OfficerApi(hcm_verifier)
    api.supplement(dossier, "birth_certificate")
    documents = {d["kind"]: d for d in api.get(url(dossier)).json()["documents"]}
    assert documents["portrait"]["source"] == "online" and documents["portrait"]["supplied_by"] is None
    assert documents["portrait"]["supplied_at_office"] is None
    assert documents["birth_certificate"]["source"] == "counter"
    assert documents["birth_certificate"]["supplied_by"] == "hcm.verifier"
    assert documents["birth_certificate"]["supplied_at_office"] == "79"
    assert documents["birth_certificate"]["width"] == 1200 and documents["birth_certificate"]["height"] == 800
    assert documents["portrait"]["url"] == url(dossier, "/documents/portrait")


def test_a_photo_is_served_privately_and_its_look_is_recorded(adult_dossier, hanoi_verifier, hcm_approver):
    OfficerApi(hanoi_verifier).supplement(adult_dossier, "portrait", jpeg_bytes(700, 900))
    body = OfficerApi(hcm_approver).get(url(adult_dossier)).json()
    [portrait] = body["documents"]
    response = OfficerApi(hcm_approver).get(portrait["url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert hashlib.sha256(response.content).hexdigest() == portrait["sha256"]
    event = AuditEvent.objects.filter(action="document.view").latest("id")
    assert (event.actor, event.office.code, event.client_ip, event.dossier) == (
        hcm_approver,
        "79",
        CLIENT_IP,
        adult_dossier,
    )
    assert event.detail == {"kind": "portrait"}


def test_a_document_that_does_not_exist_is_a_404(adult_dossier, hanoi_verifier):
    api = OfficerApi(hanoi_verifier)
    assert api.get(url(adult_dossier, "/documents/portrait")).status_code == 404
    assert api.get(url(adult_dossier, "/documents/passport_scan")).status_code == 404


def test_every_look_at_the_dossier_writes_an_audit_event_with_officer_office_and_address(adult_dossier, hcm_verifier):
    before = AuditEvent.objects.filter(action="dossier.view").count()
    OfficerApi(hcm_verifier).get(url(adult_dossier))
    OfficerApi(hcm_verifier).get(url(adult_dossier))
    events = AuditEvent.objects.filter(action="dossier.view").order_by("id")
    assert events.count() == before + 2
    event = events.last()
    assert event.actor == hcm_verifier and event.actor_username == "hcm.verifier"
    assert event.office.code == "79" and event.client_ip == CLIENT_IP and event.dossier == adult_dossier


def test_the_view_service_records_the_look(adult_dossier, hanoi_verifier):
    found = services.dossier_for_officer(officer=hanoi_verifier, dossier_no=number_of(adult_dossier), action="view")
    services.dossier_view(officer=hanoi_verifier, dossier=found, client_ip=None)
    assert AuditEvent.objects.filter(action="dossier.view", dossier=adult_dossier, actor=hanoi_verifier).exists()


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("p.jpg", content, "image/jpeg")
