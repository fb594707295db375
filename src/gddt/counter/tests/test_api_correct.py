"""Correcting a dossier's data at the counter, as the originals show it, with the checks of a registration."""

import json

import pytest

from gddt.audit.models import AuditEvent
from gddt.counter import services
from gddt.counter.tests.apiclient import OfficerApi, complete, url
from gddt.registrations.models import Dossier
from gddt.registrations.services import registration_submit
from gddt_testing.factories import adult_data, personal_id_for


def _patch(api: OfficerApi, dossier, changes, reason="Theo bản gốc CCCD", **headers):
    return api.patch(url(dossier), {"changes": changes, "reason": reason}, headers=headers)


def test_a_correction_with_a_reason_changes_the_fields_and_bumps_the_version(adult_dossier, hcm_verifier):
    version = adult_dossier.version
    response = _patch(
        OfficerApi(hcm_verifier),
        adult_dossier,
        {"full_name": "Nguyễn Văn Ân", "address": {"street": "14 Tràng Tiền"}},
        **{"If-Match": f'W/"{version}"'},
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == f'W/"{version + 1}"'
    body = response.json()
    assert body["full_name"] == "Nguyễn Văn Ân" and body["address"]["street"] == "14 Tràng Tiền"
    assert body["address"]["ward_code"] == "00070"  # the rest of the object is kept
    adult_dossier.refresh_from_db()
    assert (adult_dossier.full_name, adult_dossier.street, adult_dossier.version) == (
        "Nguyễn Văn Ân",
        "14 Tràng Tiền",
        version + 1,
    )


def test_the_audit_event_names_the_changed_fields_and_never_their_values(adult_dossier, hanoi_verifier):
    _patch(
        OfficerApi(hanoi_verifier),
        adult_dossier,
        {"full_name": "Nguyễn Văn Ân", "phone": "0387654321", "email": "an.nguyen@example.vn"},
    )
    event = AuditEvent.objects.get(action="dossier.correct")
    assert event.detail["fields"] == ["full_name", "phone"]  # the email was given unchanged
    assert event.detail["reason"] == "Theo bản gốc CCCD"
    text = json.dumps(event.detail, ensure_ascii=False)
    assert "Ân" not in text and "0387654321" not in text and "0912345678" not in text
    assert event.actor == hanoi_verifier and event.dossier == adult_dossier


def test_a_correction_needs_a_reason(adult_dossier, hanoi_verifier):
    response = _patch(OfficerApi(hanoi_verifier), adult_dossier, {"full_name": "Nguyễn Văn Ân"}, reason="  ")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
    adult_dossier.refresh_from_db()
    assert adult_dossier.full_name == "Nguyễn Văn An"


def test_the_personal_id_is_still_cross_checked_with_the_date_of_birth_and_sex(adult_dossier, hanoi_verifier):
    api = OfficerApi(hanoi_verifier)
    response = _patch(api, adult_dossier, {"date_of_birth": "1991-05-17"})
    assert response.status_code == 422
    assert {"field": "personal_id", "code": "birth_year_mismatch"} in [
        {"field": e["field"], "code": e["code"]} for e in response.json()["errors"]
    ]
    response = _patch(api, adult_dossier, {"sex": "female"})
    assert response.json()["errors"][0]["code"] == "sex_century_mismatch"
    adult_dossier.refresh_from_db()
    assert adult_dossier.sex == "male"


def test_a_new_personal_id_follows_onto_the_id_card_number(adult_dossier, hanoi_verifier):
    new_id = personal_id_for(born=adult_dossier.date_of_birth, sex="male")
    response = _patch(OfficerApi(hanoi_verifier), adult_dossier, {"personal_id": new_id})
    assert response.status_code == 200, response.content
    assert response.json()["id_document"]["number"] == new_id
    assert sorted(AuditEvent.objects.get(action="dossier.correct").detail["fields"]) == [
        "id_document.number",
        "personal_id",
    ]


def test_a_ward_outside_the_province_is_refused(adult_dossier, hanoi_verifier):
    response = _patch(OfficerApi(hanoi_verifier), adult_dossier, {"address": {"ward_code": "26506"}})
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "address.ward_code",
        "code": "ward_not_in_province",
        "message": response.json()["errors"][0]["message"],
    }


def test_unknown_and_uncorrectable_fields_are_refused_by_name(adult_dossier, hanoi_verifier):
    response = _patch(
        OfficerApi(hanoi_verifier),
        adult_dossier,
        {"category": "minor_without_id_card", "office_code": "79", "nickname": "An", "address": {"floor": 3}},
    )
    assert response.status_code == 422
    fields = {e["field"]: e["code"] for e in response.json()["errors"]}
    assert fields == {"category": "not_correctable", "office_code": "not_correctable"}
    response = _patch(OfficerApi(hanoi_verifier), adult_dossier, {"nickname": "An", "address": {"floor": 3}})
    fields = {e["field"]: e["code"] for e in response.json()["errors"]}
    assert fields == {"nickname": "unknown_field", "address.floor": "unknown_field"}


@pytest.mark.parametrize("changes", [{}, None, "full_name"])
def test_a_correction_without_changes_is_refused(adult_dossier, hanoi_verifier, changes):
    response = OfficerApi(hanoi_verifier).patch(url(adult_dossier), {"changes": changes, "reason": "x"})
    assert response.status_code == 422


def test_a_personal_id_of_another_open_dossier_is_a_409(adult_dossier, hanoi_verifier):
    other = adult_data()
    registration_submit(data=other, files={})
    response = _patch(OfficerApi(hanoi_verifier), adult_dossier, {"personal_id": other["personal_id"]})
    assert response.status_code == 409
    assert response.json()["code"] == "open_dossier_exists"
    assert response.json()["errors"][0]["field"] == "personal_id"
    adult_dossier.refresh_from_db()
    assert adult_dossier.personal_id != other["personal_id"]


def test_a_minors_phone_is_the_guardians_phone(minor_dossier, hcm_verifier):
    response = _patch(OfficerApi(hcm_verifier), minor_dossier, {"phone": "0387654321"})
    assert response.status_code == 200, response.content
    minor_dossier.refresh_from_db()
    assert minor_dossier.phone == minor_dossier.guardian_phone == "0387654321"


def test_a_minor_stays_a_minor_as_of_the_day_of_submission(minor_dossier, hcm_verifier):
    response = _patch(OfficerApi(hcm_verifier), minor_dossier, {"date_of_birth": "2000-01-01"})
    assert response.status_code == 422
    assert "not_a_minor" in [e["code"] for e in response.json()["errors"]]


def test_a_stale_if_match_is_a_412_and_a_malformed_one_a_400(adult_dossier, hanoi_verifier):
    api = OfficerApi(hanoi_verifier)
    stale = _patch(api, adult_dossier, {"full_name": "Nguyễn Văn Ân"}, **{"If-Match": 'W/"99"'})
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json" and stale.json()["code"] == "stale_version"
    assert _patch(api, adult_dossier, {"full_name": "Nguyễn Văn Ân"}, **{"If-Match": "W/3"}).status_code == 400
    adult_dossier.refresh_from_db()
    assert adult_dossier.full_name == "Nguyễn Văn An"


def test_an_approved_dossier_cannot_be_corrected(adult_dossier, hcm_verifier, hcm_approver):
    complete(adult_dossier, hcm_verifier)
    OfficerApi(hcm_approver).post(url(adult_dossier, "/approve"))
    response = _patch(OfficerApi(hcm_verifier), adult_dossier, {"full_name": "Nguyễn Văn Ân"})
    assert response.status_code == 409 and response.json()["code"] == "not_editable"


def test_a_correction_that_changes_nothing_records_nothing(adult_dossier, hanoi_verifier):
    found = services.dossier_for_officer(officer=hanoi_verifier, dossier_no=adult_dossier.number, action="edit")
    result = services.dossier_correct(
        officer=hanoi_verifier,
        dossier=found,
        changes={"full_name": "Nguyễn Văn An"},
        reason="check",
        expected_version=None,
        client_ip=None,
    )
    assert result.version == adult_dossier.version
    assert not AuditEvent.objects.filter(action="dossier.correct").exists()


def test_only_a_receiving_officer_corrects(adult_dossier, hanoi_approver):
    assert _patch(OfficerApi(hanoi_approver), adult_dossier, {"full_name": "Nguyễn Văn Ân"}).status_code == 403
    assert Dossier.objects.get(pk=adult_dossier.pk).full_name == "Nguyễn Văn An"
