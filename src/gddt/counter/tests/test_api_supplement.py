"""Supplementing missing photos at the counter (rule 1) with the photo rules of the online form (rule 9)."""

import os

import pytest

from gddt.audit.models import AuditEvent
from gddt.counter import services
from gddt.counter.tests.apiclient import OfficerApi, url
from gddt.registrations.models import Document, Dossier
from gddt.registrations.services import registration_submit
from gddt_testing.factories import adult_data, jpeg_bytes, png_bytes
from gddt_testing.storage import stored_files


def test_a_supplemented_photo_records_the_officer_the_office_and_bumps_the_version(adult_dossier, hcm_verifier):
    version = adult_dossier.version
    response = OfficerApi(hcm_verifier).put_file(url(adult_dossier, "/documents/id_front"), png_bytes(1000, 700))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == version + 1 and response["ETag"] == f'W/"{version + 1}"'
    assert body["missing_documents"] == ["id_back", "portrait", "signed_declaration"]
    document = Document.objects.get(dossier=adult_dossier, kind="id_front")
    assert document.source == "counter" and document.supplied_by == hcm_verifier
    assert document.supplied_at_office.code == "79" and document.content_type == "image/jpeg"
    assert body["document"]["sha256"] == document.sha256
    event = AuditEvent.objects.get(action="document.supplement", dossier=adult_dossier)
    assert event.detail == {"kind": "id_front", "replaced": False}


def test_a_replaced_photo_is_kept_for_the_record_and_marked_replaced(hcm_verifier):
    data = adult_data()
    from django.core.files.uploadedfile import SimpleUploadedFile

    dossier = Dossier.objects.get(
        pk=registration_submit(
            data=data, files={"portrait": SimpleUploadedFile("p.jpg", jpeg_bytes(800, 800), "image/jpeg")}
        ).dossier_id
    )
    api = OfficerApi(hcm_verifier)
    api.supplement(dossier, "portrait", jpeg_bytes(900, 900, color=(10, 10, 10)))
    documents = Document.objects.filter(dossier=dossier, kind="portrait").order_by("id")
    assert documents.count() == 2
    assert documents[0].replaced_at is not None and documents[0].source == "online"
    assert documents[1].replaced_at is None and documents[1].source == "counter"
    assert [d["source"] for d in api.get(url(dossier)).json()["documents"]] == ["counter"]
    assert AuditEvent.objects.get(action="document.supplement").detail["replaced"] is True


def test_the_signed_declaration_is_accepted_at_the_counter(adult_dossier, hanoi_verifier):
    response = OfficerApi(hanoi_verifier).put_file(
        url(adult_dossier, "/documents/signed_declaration"), jpeg_bytes(1240, 1754)
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\xff\xd8\xff\xe0 not really a jpeg", "corrupt_image"),
        (b"%PDF-1.4 a pdf pretending", "not_an_image"),
        (b"", "empty_file"),
        (b"x" * (10 * 1024 * 1024 + 1), "file_too_large"),
    ],
)
def test_a_bad_file_is_refused_naming_file_and_nothing_is_kept(adult_dossier, hanoi_verifier, content, code):
    version = adult_dossier.version
    files = stored_files()
    response = OfficerApi(hanoi_verifier).put_file(url(adult_dossier, "/documents/portrait"), content)
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == [
        {"field": "file", "code": code, "message": response.json()["errors"][0]["message"]}
    ]
    assert not Document.objects.filter(dossier=adult_dossier).exists()
    assert stored_files() == files
    adult_dossier.refresh_from_db()
    assert adult_dossier.version == version
    assert not AuditEvent.objects.filter(action="document.supplement").exists()


def test_a_truncated_jpeg_is_refused_as_corrupt(adult_dossier, hanoi_verifier):
    content = jpeg_bytes(1200, 800)
    response = OfficerApi(hanoi_verifier).put_file(
        url(adult_dossier, "/documents/portrait"), content[: len(content) // 2]
    )
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "corrupt_image"
    assert not Document.objects.exists()


def test_an_id_photo_too_small_to_read_is_refused(adult_dossier, hanoi_verifier):
    response = OfficerApi(hanoi_verifier).put_file(url(adult_dossier, "/documents/id_front"), jpeg_bytes(800, 500))
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "file",
        "code": "too_small",
        "message": response.json()["errors"][0]["message"],
    }


def test_a_file_is_kept_nowhere_when_the_database_refuses_the_change(adult_dossier, hanoi_verifier, monkeypatch):
    files = stored_files()

    def failing_audit(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_audit", failing_audit)
    found = services.dossier_for_officer(officer=hanoi_verifier, dossier_no=adult_dossier.number, action="edit")
    with pytest.raises(RuntimeError):
        services.document_supplement(
            officer=hanoi_verifier,
            dossier=found,
            kind="portrait",
            upload=jpeg_bytes(),
            expected_version=None,
            client_ip=None,
        )
    assert not Document.objects.exists()
    assert stored_files() == files


def test_an_unknown_kind_is_refused_naming_kind(adult_dossier, hanoi_verifier):
    response = OfficerApi(hanoi_verifier).put_file(url(adult_dossier, "/documents/selfie"), jpeg_bytes())
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kind"
    assert response.json()["errors"][0]["code"] == "unknown_kind"


def test_a_kind_that_is_not_a_component_of_the_category_is_refused(adult_dossier, minor_dossier, hanoi_verifier):
    api = OfficerApi(hanoi_verifier)
    response = api.put_file(url(adult_dossier, "/documents/birth_certificate"), jpeg_bytes())
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "kind",
        "code": "not_for_category",
        "message": response.json()["errors"][0]["message"],
    }
    assert api.put_file(url(minor_dossier, "/documents/id_front"), jpeg_bytes()).status_code == 422


def test_a_passport_has_no_back_side(hanoi_verifier):
    data = adult_data(
        nationality="FR",
        personal_id=None,
        bhxh_code="0112345678",
        id_document={
            "type": "passport",
            "number": "15AB12345",
            "issued_on": "2020-01-01",
            "issued_by": "Préfecture de Paris",
        },
    )
    dossier = Dossier.objects.get(pk=registration_submit(data=data, files={}).dossier_id)
    response = OfficerApi(hanoi_verifier).put_file(url(dossier, "/documents/id_back"), jpeg_bytes())
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "not_for_id_type"


def test_a_request_without_the_file_part_is_refused_naming_file(adult_dossier, hanoi_verifier):
    api = OfficerApi(hanoi_verifier)
    response = api.put_file(url(adult_dossier, "/documents/portrait"), None)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    response = api.put_file(url(adult_dossier, "/documents/portrait"), jpeg_bytes(), part="photo")
    assert response.status_code == 400
    response = api.client.put(
        url(adult_dossier, "/documents/portrait"), jpeg_bytes(), content_type="image/jpeg", headers=api.headers
    )
    assert response.status_code == 415


def test_a_stale_if_match_is_a_412_and_a_malformed_one_a_400(adult_dossier, hanoi_verifier):
    api = OfficerApi(hanoi_verifier)
    path = url(adult_dossier, "/documents/portrait")
    stale = api.put_file(path, jpeg_bytes(), headers={"If-Match": f'W/"{adult_dossier.version + 5}"'})
    assert stale.status_code == 412 and stale.json()["code"] == "stale_version"
    assert api.put_file(path, jpeg_bytes(), headers={"If-Match": "yesterday"}).status_code == 400
    assert not Document.objects.exists()
    fresh = api.put_file(path, jpeg_bytes(), headers={"If-Match": f'W/"{adult_dossier.version}"'})
    assert fresh.status_code == 200


def test_an_approved_dossier_takes_no_more_photos(adult_dossier, hcm_verifier, hcm_approver):
    from gddt.counter.tests.apiclient import complete

    complete(adult_dossier, hcm_verifier)
    assert OfficerApi(hcm_approver).post(url(adult_dossier, "/approve")).status_code == 200
    response = OfficerApi(hcm_verifier).put_file(url(adult_dossier, "/documents/portrait"), jpeg_bytes())
    assert response.status_code == 409 and response.json()["code"] == "not_editable"


def test_nothing_is_stored_under_a_public_folder(adult_dossier, hanoi_verifier):
    OfficerApi(hanoi_verifier).supplement(adult_dossier, "portrait")
    document = Document.objects.get()
    assert not os.path.isabs(document.file.name) and document.file.name.startswith("documents/")
    assert "Nguy" not in document.file.name and adult_dossier.personal_id not in document.file.name
