import copy
import os
from datetime import date, timedelta

import pytest

from gddt.registrations.models import Document, Dossier
from gddt.registrations.numbers import dossier_number_is_valid, dossier_number_normalize
from gddt_testing.factories import adult_data, jpeg_bytes, minor_data, png_bytes

from .helpers import kept, png_bomb, post_json, post_multipart, stored_files

pytestmark = pytest.mark.django_db


def errors_of(response) -> dict[str, str]:
    assert response["Content-Type"] == "application/problem+json"
    return {e["field"]: e["code"] for e in response.json()["errors"]}


def test_it_accepts_a_registration_without_photos_and_lists_what_is_missing(client):
    response = post_json(client, adult_data())
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "submitted"
    assert body["category"] == "with_id_card"
    assert body["office_code"] == "01"
    assert body["missing_documents"] == ["id_front", "id_back", "portrait", "signed_declaration"]
    number = dossier_number_normalize(body["dossier_no"])
    assert number and dossier_number_is_valid(number)
    assert body["expires_at"].startswith((date.today() + timedelta(days=30)).isoformat()[:7])


def test_it_stores_photos_re_encoded_without_exif_with_their_sha256(client):
    from PIL import Image

    camera = Image.Exif()
    camera[0x010F] = "Canon"  # Make
    camera[0x8825] = {2: (21.0, 1.0, 30.0)}  # a GPS position: exactly what must not be kept
    exif = camera.tobytes()
    photos = {
        "id_front": jpeg_bytes(1200, 800, exif=exif),
        "id_back": png_bytes(1000, 700),
        "portrait": jpeg_bytes(600, 800),
    }
    response = post_multipart(client, adult_data(), photos)
    assert response.status_code == 201, response.content
    assert response.json()["missing_documents"] == ["signed_declaration"]
    documents = {d.kind: d for d in Document.objects.all()}
    assert set(documents) == {"id_front", "id_back", "portrait"}
    import hashlib

    from PIL import Image

    for document in documents.values():
        content = document.file.read()
        assert hashlib.sha256(content).hexdigest() == document.sha256
        image = Image.open(document.file)
        assert image.format == "JPEG"
        assert not image.getexif()
        assert document.source == "online" and document.supplied_by is None
        assert "id_front" not in document.file.name and document.file.name.endswith(".jpg")
    assert (documents["id_back"].width, documents["id_back"].height) == (1000, 700)


def test_it_applies_the_exif_orientation_before_stripping_it(client):
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    import io

    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (10, 20, 30)).save(out, format="JPEG", exif=exif.tobytes())
    response = post_multipart(client, adult_data(), {"id_front": out.getvalue()})
    assert response.status_code == 201
    document = Document.objects.get()
    assert (document.width, document.height) == (800, 1200)


def test_a_minor_registers_through_a_guardian_with_a_birth_certificate(client):
    response = post_multipart(
        client, minor_data(), {"birth_certificate": jpeg_bytes(900, 1200), "portrait": jpeg_bytes(600, 800)}
    )
    assert response.status_code == 201, response.content
    assert response.json()["missing_documents"] == ["guardian_id_front", "guardian_id_back", "signed_declaration"]
    dossier = Dossier.objects.get()
    assert dossier.guardian_relationship == "mother"
    assert dossier.phone == dossier.guardian_phone == "0987654321"


def test_a_passport_holder_is_not_asked_for_the_back_of_the_card(client):
    data = adult_data(
        nationality="FR",
        personal_id=None,
        bhxh_code="7912345678",
        id_document={
            "type": "passport",
            "number": "19AB12345",
            "issued_on": "2019-02-01",
            "issued_by": "Préfecture de Paris",
        },
    )
    response = post_json(client, data)
    assert response.status_code == 201, response.content
    assert "id_back" not in response.json()["missing_documents"]


def test_a_cmnd9_holder_registers_with_the_insurance_number(client):
    data = adult_data(
        personal_id=None,
        bhxh_code="0123456789",
        id_document={"type": "cmnd9", "number": "012345678", "issued_on": "2010-02-01", "issued_by": "Công an Hà Nội"},
    )
    assert post_json(client, data).status_code == 201


def test_messages_are_vietnamese_by_default_and_english_on_request(client):
    data = adult_data(phone="0243775394")
    vietnamese = post_json(client, data).json()
    english = post_json(client, data, **{"Accept-Language": "en"}).json()
    assert english["errors"][0]["message"] == "Enter a Vietnamese mobile number, for example 0912345678."
    assert vietnamese["errors"][0]["message"] != english["errors"][0]["message"]
    assert "di động" in vietnamese["errors"][0]["message"]


def test_every_error_of_a_request_is_reported_at_once_with_dotted_paths(client):
    data = minor_data(full_name="   ", consent=False)
    data["guardian"]["phone"] = "12345"
    data["address"]["ward_code"] = "00070"  # a ward of Hà Nội, not of the chosen province
    response = post_json(client, data)
    assert response.status_code == 422
    assert errors_of(response) == {
        "full_name": "required",
        "consent": "consent_required",
        "guardian.phone": "not_vietnamese_mobile",
        "address.ward_code": "ward_not_in_province",
    }


def _pid_with(digit4=None, year=None, prefix=None):
    pid = adult_data()["personal_id"]
    if prefix:
        pid = prefix + pid[3:]
    if digit4:
        pid = pid[:3] + digit4 + pid[4:]
    if year:
        pid = pid[:4] + year + pid[6:]
    return pid


def _with(**changes):
    data = adult_data()
    for path, value in changes.items():
        target = data
        *parents, leaf = path.split("__")
        for parent in parents:
            target = target[parent]
        target[leaf] = value
    if "personal_id" in changes and changes["personal_id"] and data["id_document"]["type"] == "cccd":
        data["id_document"]["number"] = changes["personal_id"]
    return data


BAD_DATA = {
    "personal id with letters": (_with(personal_id="00109001234A"), "personal_id", "invalid_format"),
    "personal id too short": (_with(personal_id="00109001234"), "personal_id", "invalid_format"),
    "personal id of another birth year": (
        _with(personal_id=_pid_with(year="91")),
        "personal_id",
        "birth_year_mismatch",
    ),
    "personal id of a woman": (_with(personal_id=_pid_with(digit4="1")), "personal_id", "sex_century_mismatch"),
    "personal id of the wrong century": (
        _with(personal_id=_pid_with(digit4="2")),
        "personal_id",
        "sex_century_mismatch",
    ),
    "unknown province in the personal id": (
        _with(personal_id=_pid_with(prefix="003")),
        "personal_id",
        "unknown_province_code",
    ),
    "9 digits where a CCCD is claimed": (
        _with(id_document__number="012345678"),
        "id_document.number",
        "invalid_format",
    ),
    "landline": (_with(phone="02437753944"), "phone", "not_vietnamese_mobile"),
    "foreign mobile": (_with(phone="+447700900123"), "phone", "not_vietnamese_mobile"),
    "future birth date": (_with(date_of_birth="2099-01-01"), "date_of_birth", "future_date"),
    "impossible birth date": (_with(date_of_birth="1990-02-30"), "date_of_birth", "invalid_date"),
    "future issue date": (_with(id_document__issued_on="2099-01-01"), "id_document.issued_on", "future_date"),
    "card issued before birth": (_with(id_document__issued_on="1980-01-01"), "id_document.issued_on", "before_birth"),
    "unknown office": (_with(office_code="99999"), "office_code", "unknown_office"),
    "unknown province": (_with(address__province_code="99"), "address.province_code", "unknown_province"),
    "unknown commune": (_with(address__ward_code="99999"), "address.ward_code", "unknown_ward"),
    "missing consent": (_with(consent=False), "consent", "consent_required"),
    "consent as a string": (_with(consent="true"), "consent", "consent_required"),
    "name of only spaces": (_with(full_name="    "), "full_name", "required"),
    "name with a control character": (_with(full_name="Nguyễn\x07An"), "full_name", "control_characters"),
    "markup in the name": (_with(full_name="<img src=x onerror=alert(1)>"), "full_name", "invalid_characters"),
    "unknown category": (_with(category="company"), "category", "invalid_choice"),
    "unknown sex": (_with(sex="x"), "sex", "invalid_choice"),
    "unknown field": (_with(favourite_colour="blue"), "favourite_colour", "unknown_field"),
    "neither identifier": (
        _with(personal_id=None, bhxh_code=None, id_document__type="cmnd9", id_document__number="012345678"),
        "personal_id",
        "identifier_required",
    ),
    "insurance number of 9 digits": (_with(bhxh_code="012345678"), "bhxh_code", "invalid_format"),
    "passport for a Vietnamese": (
        _with(personal_id=None, bhxh_code="0123456789", id_document__type="passport", id_document__number="B1234567"),
        "id_document.type",
        "passport_for_foreigners",
    ),
    "guardian for an adult": (_with(guardian={"full_name": "A"}), "guardian", "not_for_category"),
}


@pytest.mark.parametrize("case", BAD_DATA.keys())
def test_bad_data_is_refused_with_its_field_named_and_nothing_kept(client, case):
    data, field, code = BAD_DATA[case]
    before = kept()
    response = post_json(client, data)
    assert response.status_code == 422, response.content
    assert errors_of(response).get(field) == code, response.json()
    assert kept() == before


def test_a_minor_aged_18_or_more_is_refused(client):
    today = date.today()
    born = (
        date(today.year - 18, today.month, today.day)
        if (today.month, today.day) != (2, 29)
        else date(today.year - 18, 2, 28)
    )
    data = minor_data(date_of_birth=born.isoformat(), personal_id=None, bhxh_code="7900000001")
    response = post_json(client, data)
    assert response.status_code == 422
    assert errors_of(response)["date_of_birth"] == "not_a_minor"


def test_a_guardian_who_is_a_child_is_refused(client):
    data = minor_data()
    data["guardian"]["personal_id"] = data["personal_id"][:3] + "3" + f"{(date.today().year - 10) % 100:02d}" + "123456"
    assert errors_of(post_json(client, data))["guardian.personal_id"] == "guardian_not_adult"


def _truncated_jpeg() -> bytes:
    return jpeg_bytes(1200, 800)[:4000]


def _php_behind_jpeg_header() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"<?php system($_GET['c']); ?>" * 200


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n" * 20


def _svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800"><rect width="100%" height="100%"/></svg>'


BAD_FILES = {
    "truncated JPEG": (_truncated_jpeg, "corrupt_image"),
    "PHP script behind a JPEG header": (_php_behind_jpeg_header, {"corrupt_image", "not_an_image"}),
    "400-megapixel PNG bomb": (png_bomb, {"too_many_pixels", "not_an_image"}),
    "11-MB file": (lambda: b"\xff\xd8\xff" + os.urandom(11 * 1024 * 1024), "file_too_large"),
    "PDF": (_pdf, "not_an_image"),
    "SVG": (_svg, "not_an_image"),
    "empty file": (lambda: b"", "empty_file"),
    "tiny ID photo": (lambda: jpeg_bytes(500, 400), "too_small"),
}


@pytest.mark.parametrize("case", BAD_FILES.keys())
def test_a_bad_photo_is_refused_and_nothing_of_the_request_is_kept(client, case):
    make, codes = BAD_FILES[case]
    codes = {codes} if isinstance(codes, str) else codes
    before = kept()
    response = post_multipart(client, adult_data(), {"portrait": jpeg_bytes(600, 800), "id_front": make()})
    assert response.status_code == 422, response.content
    assert errors_of(response).get("id_front") in codes
    assert kept() == before
    assert stored_files() == []


def test_a_file_under_an_unknown_part_name_is_refused(client):
    before = kept()
    response = post_multipart(client, adult_data(), {"selfie": jpeg_bytes()})
    assert response.status_code == 400
    assert errors_of(response) == {"selfie": "unknown_part"}
    assert kept() == before


def test_a_photo_that_does_not_belong_to_the_category_is_refused(client):
    response = post_multipart(client, adult_data(), {"birth_certificate": jpeg_bytes()})
    assert response.status_code == 422
    assert errors_of(response) == {"birth_certificate": "not_for_category"}


def test_the_signed_declaration_cannot_come_online(client):
    response = post_multipart(client, adult_data(), {"signed_declaration": jpeg_bytes()})
    assert response.status_code == 400
    assert errors_of(response) == {"signed_declaration": "unknown_part"}


@pytest.mark.parametrize("body", [b"{not json", b"null", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_malformed_json_is_a_clear_400(client, body):
    response = client.post("/api/v1/registrations", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "data"


def test_malformed_json_in_the_data_part_is_a_clear_400(client):
    response = client.post("/api/v1/registrations", data={"data": "{oops"})
    assert response.status_code == 400
    assert errors_of(response) == {"data": "malformed_json"}


def test_another_content_type_is_refused(client):
    response = client.post("/api/v1/registrations", data="a=b", content_type="text/plain")
    assert response.status_code == 415


def test_markup_in_free_text_is_stored_as_text(client):
    data = adult_data()
    data["address"]["street"] = "<b>12</b> Tràng Tiền"
    assert post_json(client, data).status_code == 201
    assert Dossier.objects.get().street == "<b>12</b> Tràng Tiền"


def test_a_second_registration_for_the_same_person_is_refused_and_the_owner_is_told(client):
    data = adult_data()
    assert post_json(client, data).status_code == 201
    other = copy.deepcopy(data)
    other["phone"] = "0388888888"
    response = post_json(client, other)
    assert response.status_code == 409
    assert errors_of(response) == {"personal_id": "open_dossier_exists"}
    assert Dossier.objects.count() == 1
    from gddt.notifications.models import SmsMessage

    not_you = SmsMessage.objects.filter(template="not_you")
    assert [m.to for m in not_you] == ["0912345678"]  # the phone on record, not the one just typed
    assert post_json(client, other).status_code == 409
    assert not_you.count() == 1  # once per period, not once per try


def test_the_same_insurance_number_cannot_open_a_second_dossier(client):
    first = adult_data(bhxh_code="0101010101")
    assert post_json(client, first).status_code == 201
    second = adult_data(bhxh_code="0101010101")
    response = post_json(client, second)
    assert response.status_code == 409


def test_a_person_may_register_again_after_the_dossier_expired_or_was_rejected(client):
    data = adult_data()
    assert post_json(client, data).status_code == 201
    Dossier.objects.update(status="expired")
    assert post_json(client, data).status_code == 201


def test_a_retry_with_the_same_idempotency_key_returns_the_first_answer(client):
    data = adult_data()
    first = post_json(client, data, **{"Idempotency-Key": "abc-123"})
    second = post_json(client, data, **{"Idempotency-Key": "abc-123"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Dossier.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_a_422(client):
    assert post_json(client, adult_data(), **{"Idempotency-Key": "k"}).status_code == 201
    response = post_json(client, adult_data(), **{"Idempotency-Key": "k"})
    assert response.status_code == 422
    assert errors_of(response) == {"Idempotency-Key": "idempotency_key_reused"}
    assert Dossier.objects.count() == 1


def test_the_submitted_sms_is_queued_with_the_dossier(client):
    from gddt.notifications.models import SmsMessage

    body = post_json(client, adult_data(bhxh_code="0123456789")).json()
    message = SmsMessage.objects.get()
    assert message.to == "0912345678" and message.template == "submitted"
    assert body["dossier_no"] in message.text and "0123456789" in message.text
    assert message.text.isascii() and len(message.text) <= 160


def test_the_sms_masks_the_personal_id_when_there_is_no_insurance_number(client):
    from gddt.notifications.models import SmsMessage

    data = adult_data()
    post_json(client, data)
    text = SmsMessage.objects.get().text
    assert data["personal_id"] not in text and data["personal_id"][-3:] in text


def test_the_status_is_found_with_the_personal_id_or_the_insurance_number(client):
    data = adult_data(bhxh_code="0123456780")
    number = post_json(client, data).json()["dossier_no"]
    for verify in (data["personal_id"], "0123456780"):
        response = client.get(f"/api/v1/registrations/{number}", {"verify": verify})
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "submitted" and body["dossier_no"] == number
        assert set(body) == {
            "dossier_no",
            "status",
            "category",
            "office_code",
            "missing_documents",
            "expires_at",
            "submitted_at",
        }
    compact = number.replace("-", "")
    assert client.get(f"/api/v1/registrations/{compact}", {"verify": data["personal_id"]}).status_code == 200


def test_a_wrong_pair_is_a_404_that_tells_nothing(client):
    data = adult_data()
    number = post_json(client, data).json()["dossier_no"]
    other = adult_data()
    wrong_pair = client.get(f"/api/v1/registrations/{number}", {"verify": other["personal_id"]})
    unknown = client.get("/api/v1/registrations/26-9999999-0", {"verify": data["personal_id"]})
    assert wrong_pair.status_code == unknown.status_code == 404
    assert wrong_pair.json() == unknown.json()
    assert client.get(f"/api/v1/registrations/{number}").status_code == 422  # verify is required


def test_the_offices_are_listed_with_their_parents_and_provinces(client):
    offices = {o["code"]: o for o in client.get("/api/v1/offices").json()}
    assert offices["00"]["parent_code"] is None
    assert offices["79"] == {
        "code": "79",
        "name": "Bảo hiểm xã hội thành phố Hồ Chí Minh",
        "parent_code": "00",
        "province_code": "79",
    }
    assert len([o for o in offices.values() if o["parent_code"] == "00"]) == 34


def test_a_multipart_body_without_a_boundary_is_a_clear_400(client):
    response = client.post("/api/v1/registrations", data=b'{"a": 1}', content_type="multipart/form-data")
    assert response.status_code == 400
    assert errors_of(response) == {"": "malformed_multipart"}


def test_a_heic_photo_from_a_phone_is_welcome_and_stored_as_jpeg(client):
    import io

    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    heic = io.BytesIO()
    Image.new("RGB", (1200, 900), (120, 60, 30)).save(heic, format="HEIF")
    response = post_multipart(client, adult_data(), {"id_front": heic.getvalue()})
    assert response.status_code == 201, response.content
    document = Document.objects.get()
    assert Image.open(document.file).format == "JPEG" and (document.width, document.height) == (1200, 900)


@pytest.mark.parametrize("name", ["address", "id_document"])
def test_an_empty_object_for_a_required_block_is_refused_as_missing(client, name):
    before = kept()
    response = post_json(client, adult_data(**{name: {}}))
    assert response.status_code == 422
    assert errors_of(response).get(name) == "required"
    assert kept() == before
