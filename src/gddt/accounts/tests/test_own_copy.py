"""A citizen's own copy (product.md rule 16, GET /api/v1/me/data and the download on "my account"): everything held
about the person, their images, the transitions and which offices looked at the dossier and when, never which
officer; only their own; audited."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from gddt.accounts.auth import api_token_create, citizen_audit_target, citizen_token_create
from gddt.accounts.services import citizen_account_activate
from gddt.audit.models import AuditEvent
from gddt.counter.services import document_supplement, dossier_view
from gddt.registrations.models import Document, Dossier, Status
from gddt.registrations.numbers import dossier_number_format
from gddt.registrations.services import registration_submit
from gddt_testing.factories import adult_data, bhxh_code_new, jpeg_bytes, minor_data

pytestmark = pytest.mark.django_db
DATA = "/api/v1/me/data"
ZIP = "/api/v1/me/data.zip"
HOME = "/tai-khoan/"
DOWNLOAD = "/tai-khoan/du-lieu-cua-toi/"


def _photo(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(1200, 800), content_type="image/jpeg")


def _submitted(data: dict, files: dict | None = None) -> Dossier:
    return Dossier.objects.get(pk=registration_submit(data=data, files=files or {}).dossier_id)


def _account_holder(data: dict, files: dict | None = None, *, dossier: Dossier | None = None):
    dossier = dossier or _submitted(data, files)
    user, _password = citizen_account_activate(dossier=dossier)
    user.must_change_password = False
    user.save()
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.APPROVED, account=user, approved_at=timezone.now())
    dossier.refresh_from_db()
    return user, dossier


@pytest.fixture
def holder(hanoi_verifier):
    """An approved adult whose ID photos came online; a Hà Nội officer looked at the dossier and supplied the
    signed declaration at the counter."""
    photos = {"id_front": _photo("f.jpg"), "portrait": _photo("p.jpg")}
    dossier = _submitted(adult_data(bhxh_code=bhxh_code_new()), photos)
    dossier_view(officer=hanoi_verifier, dossier=dossier, client_ip="203.0.113.5")
    document_supplement(
        officer=hanoi_verifier,
        dossier=dossier,
        kind="signed_declaration",
        upload=_photo("s.jpg"),
        expected_version=None,
        client_ip="203.0.113.5",
    )
    return _account_holder({}, dossier=Dossier.objects.get(pk=dossier.pk))


def _bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {citizen_token_create(user=user)}"}


def test_the_copy_holds_the_data_consent_documents_transitions_and_looks_by_office(client, holder, hanoi_verifier):
    user, dossier = holder
    response = client.get(DATA, **_bearer(user))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    body = response.json()
    assert body["account"]["username"] == user.username
    [copy] = body["dossiers"]
    assert copy["dossier_no"] == dossier_number_format(dossier.number)
    assert copy["data"]["personal_id"] == dossier.personal_id
    assert copy["data"]["id_document"]["number"] == dossier.id_number
    assert copy["data"]["address"]["street"] == "12 Tràng Tiền"
    assert copy["consent"]["version"] == 1 and copy["consent"]["given_by"] == "person"
    assert copy["consent"]["text"]["vi"]["sensitive_notice"]
    kinds = {(d["kind"], d["source"]) for d in copy["documents"]}
    assert kinds == {("id_front", "online"), ("portrait", "online"), ("signed_declaration", "counter")}
    counter = next(d for d in copy["documents"] if d["kind"] == "signed_declaration")
    assert counter["supplied_at_office"] == {"code": "01", "name": hanoi_verifier.office.name}
    assert [t["action"] for t in copy["transitions"]] == ["submit"]
    looks = [(look["action"], look["office"]["code"] if look["office"] else None) for look in copy["looked_at"]]
    assert ("dossier.view", "01") in looks
    assert ("document.supplement", "01") in looks


def test_the_copy_never_names_the_officer(client, holder, hanoi_verifier):
    user, _dossier = holder
    text = client.get(DATA, **_bearer(user)).content.decode()
    assert hanoi_verifier.username not in text
    assert hanoi_verifier.get_full_name() not in text
    assert "203.0.113.5" not in text  # nor the officer's address


def test_each_image_downloads_with_the_token_and_matches_its_sha256(document_storage, client, holder):
    user, dossier = holder
    headers = _bearer(user)
    documents = client.get(DATA, **headers).json()["dossiers"][0]["documents"]
    for document in documents:
        assert document["url"] == f"/api/v1/me/documents/{document['id']}"
        assert dossier.personal_id not in document["url"]
        image = client.get(document["url"], **headers)
        assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
        assert hashlib.sha256(image.content).hexdigest() == document["sha256"]


def test_a_citizen_gets_404_for_another_persons_document_and_never_sees_their_dossier(client, holder):
    user, own = holder
    _other, other_dossier = _account_holder(
        adult_data(bhxh_code=bhxh_code_new(), phone="0912000003"), {"portrait": _photo("o.jpg")}
    )
    theirs = Document.objects.get(dossier=other_dossier)
    response = client.get(f"/api/v1/me/documents/{theirs.pk}", **_bearer(user))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/me/documents/99999999999999999999", **_bearer(user)).status_code in (404, 422)
    body = client.get(DATA, **_bearer(user)).json()
    assert [d["dossier_no"] for d in body["dossiers"]] == [dossier_number_format(own.number)]
    assert other_dossier.personal_id not in json.dumps(body)
    assert not AuditEvent.objects.filter(dossier=other_dossier, action__startswith="citizen.").exists()


def test_the_copy_and_each_image_are_audited_on_the_dossier(client, holder):
    user, dossier = holder
    headers = _bearer(user)
    document = client.get(DATA, **headers).json()["dossiers"][0]["documents"][0]
    client.get(document["url"], **headers)
    events = AuditEvent.objects.filter(dossier=dossier, target=citizen_audit_target(user.username))
    # The citizen is recorded by a keyed hash of the username (the personal ID), never in clear.
    assert not AuditEvent.objects.filter(actor_username=user.username).exists()
    assert not any(user.username in json.dumps([e.target, e.detail]) for e in events)
    assert [(e.action, e.office_id) for e in events.order_by("id")] == [
        ("citizen.copy", None),
        ("citizen.document", None),
    ]
    assert events.first().detail == {"form": "json"}
    # The citizen's own downloads appear in the next copy too, without an office.
    looks = client.get(DATA, **headers).json()["dossiers"][0]["looked_at"]
    assert {"action": "citizen.copy", "office": None} in [{k: v for k, v in x.items() if k != "at"} for x in looks]


def test_a_minors_copy_carries_the_guardian_and_the_childs_agreement(client):
    user, _dossier = _account_holder(minor_data(bhxh_code=bhxh_code_new()))
    [copy] = client.get(DATA, **_bearer(user)).json()["dossiers"]
    assert copy["data"]["guardian"]["relationship"] == "mother"
    assert copy["consent"]["given_by"] == "guardian" and copy["consent"]["child_agreed_at"] is not None


def test_only_a_citizens_token_opens_the_copy(client, holder, hanoi_verifier):
    assert client.get(DATA).status_code == 401
    officer = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=hanoi_verifier)}"}
    assert client.get(DATA, **officer).status_code == 401
    assert client.get(ZIP, **officer).status_code == 401


def _zip_check(content: bytes, dossier: Dossier) -> dict:
    archive = zipfile.ZipFile(io.BytesIO(content))
    data = json.loads(archive.read("data.json"))
    [copy] = data["dossiers"]
    assert copy["dossier_no"] == dossier_number_format(dossier.number)
    assert len(copy["documents"]) == 3
    for document in copy["documents"]:
        assert hashlib.sha256(archive.read(document["file"])).hexdigest() == document["sha256"]
    return data


def test_the_api_gives_the_copy_as_one_zip_file(document_storage, client, holder):
    user, dossier = holder
    response = client.get(ZIP, **_bearer(user))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert dossier.personal_id not in response["Content-Disposition"]
    _zip_check(response.content, dossier)
    assert AuditEvent.objects.filter(dossier=dossier, action="citizen.copy", detail={"form": "zip"}).exists()


def test_the_account_page_links_to_the_download_which_is_a_zip_of_everything(holder):
    user, dossier = holder
    browser = Client()
    browser.force_login(user)
    page = browser.get(HOME).content.decode()
    assert f'href="{DOWNLOAD}"' in page and "Tải dữ liệu của tôi" in page
    response = browser.get(DOWNLOAD)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="gddt-du-lieu-cua-toi-')
    _zip_check(response.content, dossier)
    assert AuditEvent.objects.filter(dossier=dossier, action="citizen.copy").count() == 1


def test_the_download_page_needs_a_signed_in_citizen(client, hanoi_verifier):
    response = client.get(DOWNLOAD)
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
