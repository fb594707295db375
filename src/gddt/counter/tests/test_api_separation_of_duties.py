"""Separation of duties cannot be got around (rule 7): a change of the data or of a document other than the signed
declaration on a verified dossier voids the verification, and no officer who verified the dossier or changed it
since submission approves it while the office separates duties."""

import pytest

from gddt.accounts.models import User
from gddt.accounts.services import officer_create
from gddt.counter import services
from gddt.counter.tests.apiclient import OfficerApi, complete, url
from gddt.offices.models import Office
from gddt.registrations.models import Status
from gddt_testing.factories import jpeg_bytes
from gddt_testing.personas import PERSONA_PASSWORD


def _both(username: str = "hn.both", office_code: str = "01") -> User:
    """An officer who may both verify (and so correct and supplement) and approve."""
    return officer_create(
        username=username,
        office=Office.objects.get(code=office_code),
        roles=["verifier", "approver"],
        password=PERSONA_PASSWORD,
    )


def _statuses(dossier) -> list[tuple[str, str]]:
    return [(t.action, t.to_status) for t in dossier.transitions.order_by("at", "id")]


def test_a_second_officer_who_changes_a_verified_dossier_cannot_approve_it_alone(adult_dossier, hanoi_verifier):
    # The outside review's reproduction: A verifies; B replaces the portrait, corrects the name and approves.
    complete(adult_dossier, hanoi_verifier)
    b = OfficerApi(_both())
    assert b.put_file(url(adult_dossier, "/documents/portrait"), jpeg_bytes(900, 1200)).status_code == 200
    adult_dossier.refresh_from_db()
    assert adult_dossier.status == Status.SUBMITTED
    corrected = b.patch(url(adult_dossier), {"changes": {"full_name": "Trần Thị Khác"}, "reason": "Theo CCCD"})
    assert corrected.status_code == 200, corrected.content
    assert corrected.json()["status"] == "submitted"
    assert corrected.json()["verified_by"] is None
    assert "approve" not in corrected.json()["allowed_actions"]
    refused = b.post(url(adult_dossier, "/approve"))
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_transition"

    # Verified again by someone (here A), B still may not approve: B changed the dossier since submission.
    assert OfficerApi(hanoi_verifier).post(url(adult_dossier, "/verify")).status_code == 200
    assert "approve" not in b.get(url(adult_dossier)).json()["allowed_actions"]
    refused = b.post(url(adult_dossier, "/approve"))
    assert refused.status_code == 403, refused.content
    assert refused.json()["code"] == "separation_of_duties"
    adult_dossier.refresh_from_db()
    assert adult_dossier.status == Status.VERIFIED and adult_dossier.account is None


def test_the_voided_verification_is_a_recorded_transition_with_actor_office_and_reason(adult_dossier, hanoi_verifier):
    complete(adult_dossier, hanoi_verifier)
    b = _both("hcm.both", "79")
    body = OfficerApi(b).put_file(url(adult_dossier, "/documents/id_front"), jpeg_bytes(1200, 800))
    assert body.status_code == 200
    [void] = adult_dossier.transitions.filter(action="void_verification")
    assert (void.from_status, void.to_status) == (Status.VERIFIED, Status.SUBMITTED)
    assert void.actor == b and void.office.code == "79"
    assert void.reason == "document_changed" and void.note == "id_front"
    history = OfficerApi(hanoi_verifier).get(url(adult_dossier, "/history")).json()
    assert [t["action"] for t in history["transitions"]][-2:] == ["verify", "void_verification"]


def test_a_correction_of_a_verified_dossier_voids_the_verification_and_names_the_fields(adult_dossier, hanoi_verifier):
    complete(adult_dossier, hanoi_verifier)
    response = OfficerApi(hanoi_verifier).patch(
        url(adult_dossier),
        {"changes": {"full_name": "Nguyễn Văn Sửa", "address": {"street": "12 Phố Huế"}}, "reason": "Theo CCCD"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    [void] = adult_dossier.transitions.filter(action="void_verification")
    assert void.reason == "data_corrected" and void.note == "full_name, address.street"
    assert void.actor == hanoi_verifier


def test_a_correction_that_changes_nothing_keeps_the_verification(adult_dossier, hanoi_verifier):
    complete(adult_dossier, hanoi_verifier)
    response = OfficerApi(hanoi_verifier).patch(
        url(adult_dossier), {"changes": {"full_name": adult_dossier.full_name}, "reason": "Theo CCCD"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "verified"
    assert not adult_dossier.transitions.filter(action="void_verification").exists()


def test_replacing_the_signed_declaration_keeps_the_verification(adult_dossier, hanoi_verifier, hcm_approver):
    complete(adult_dossier, hanoi_verifier)
    version = adult_dossier.version
    response = OfficerApi(hanoi_verifier).put_file(
        url(adult_dossier, "/documents/signed_declaration"), jpeg_bytes(1240, 1754)
    )
    assert response.status_code == 200
    adult_dossier.refresh_from_db()
    assert adult_dossier.status == Status.VERIFIED and adult_dossier.version == version + 1
    assert not adult_dossier.transitions.filter(action="void_verification").exists()
    assert OfficerApi(hcm_approver).post(url(adult_dossier, "/approve")).status_code == 200


def test_supplementing_a_missing_photo_after_verification_voids_it(minor_dossier, hcm_verifier, hcm_approver):
    api = OfficerApi(hcm_verifier)
    for kind in ("portrait", "birth_certificate", "guardian_id_front", "guardian_id_back"):
        api.supplement(minor_dossier, kind)
    assert api.post(url(minor_dossier, "/verify")).status_code == 200
    api.supplement(minor_dossier, "signed_declaration")  # the declaration: still verified
    minor_dossier.refresh_from_db()
    assert minor_dossier.status == Status.VERIFIED
    api.supplement(minor_dossier, "guardian_id_back")  # a replaced photo: verification voided
    minor_dossier.refresh_from_db()
    assert minor_dossier.status == Status.SUBMITTED
    assert OfficerApi(hcm_approver).post(url(minor_dossier, "/approve")).status_code == 409


def test_an_officer_who_only_corrected_the_data_before_verification_may_not_approve(adult_dossier, hanoi_verifier):
    b = _both()
    complete(adult_dossier, hanoi_verifier, verify=False)
    assert (
        OfficerApi(b)
        .patch(url(adult_dossier), {"changes": {"full_name": "Lê Văn Đúng"}, "reason": "Theo CCCD"})
        .status_code
        == 200
    )
    assert OfficerApi(hanoi_verifier).post(url(adult_dossier, "/verify")).status_code == 200
    response = OfficerApi(b).post(url(adult_dossier, "/approve"))
    assert response.status_code == 403 and response.json()["code"] == "separation_of_duties"


def test_an_officer_who_only_supplied_a_document_may_not_approve(adult_dossier, hanoi_verifier):
    b = _both()
    OfficerApi(b).supplement(adult_dossier, "portrait")
    complete(adult_dossier, hanoi_verifier)
    response = OfficerApi(b).post(url(adult_dossier, "/approve"))
    assert response.status_code == 403 and response.json()["code"] == "separation_of_duties"


def test_an_officer_uninvolved_in_the_dossier_approves_after_a_re_verification(
    adult_dossier, hanoi_verifier, hcm_verifier, hcm_approver
):
    complete(adult_dossier, hanoi_verifier)
    OfficerApi(hcm_verifier).supplement(adult_dossier, "portrait")
    assert OfficerApi(hcm_verifier).post(url(adult_dossier, "/verify")).status_code == 200
    response = OfficerApi(hcm_approver).post(url(adult_dossier, "/approve"))
    assert response.status_code == 200, response.content


def test_every_officer_involved_may_approve_when_the_office_does_not_separate_duties(adult_dossier, hanoi_verifier):
    Office.objects.filter(code="01").update(separation_of_duties=False)
    b = _both()
    complete(adult_dossier, hanoi_verifier)
    OfficerApi(b).supplement(adult_dossier, "portrait")
    assert OfficerApi(b).post(url(adult_dossier, "/verify")).status_code == 200
    assert OfficerApi(b).post(url(adult_dossier, "/approve")).status_code == 200


# --- the same rules through the services (the web pages and the command line call them) ---------------------


def test_the_services_void_the_verification_and_refuse_the_officer_who_changed_it(
    adult_dossier, hanoi_verifier, hanoi_approver
):
    complete(adult_dossier, hanoi_verifier)
    b = _both()
    found = services.dossier_for_officer(officer=b, dossier_no=adult_dossier.number, action="edit")
    corrected = services.dossier_correct(
        officer=b,
        dossier=found,
        changes={"full_name": "Phạm Văn Mới"},
        reason="Theo CCCD",
        expected_version=None,
        client_ip=None,
    )
    assert corrected.status == Status.SUBMITTED
    assert corrected.verified_by is None and corrected.verified_at is None
    assert _statuses(corrected)[-2:] == [("verify", Status.VERIFIED), ("void_verification", Status.SUBMITTED)]
    again = services.dossier_for_officer(officer=hanoi_verifier, dossier_no=adult_dossier.number, action="verify")
    services.dossier_verify(officer=hanoi_verifier, dossier=again, client_ip=None)
    found = services.dossier_for_officer(officer=b, dossier_no=adult_dossier.number, action="approve")
    with pytest.raises(services.Problem) as refused:
        services.dossier_approve(officer=b, dossier=found, client_ip=None)
    assert refused.value.status == 403 and refused.value.code == "separation_of_duties"
    found = services.dossier_for_officer(officer=hanoi_approver, dossier_no=adult_dossier.number, action="approve")
    assert services.dossier_approve(officer=hanoi_approver, dossier=found, client_ip=None).dossier.status == "approved"


def test_the_supplement_service_keeps_the_verification_for_the_signed_declaration_only(adult_dossier, hanoi_verifier):
    complete(adult_dossier, hanoi_verifier)
    for kind, status in (("signed_declaration", Status.VERIFIED), ("id_back", Status.SUBMITTED)):
        found = services.dossier_for_officer(officer=hanoi_verifier, dossier_no=adult_dossier.number, action="edit")
        services.document_supplement(
            officer=hanoi_verifier,
            dossier=found,
            kind=kind,
            upload=jpeg_bytes(1200, 800),
            expected_version=None,
            client_ip=None,
        )
        adult_dossier.refresh_from_db()
        assert adult_dossier.status == status, kind
