"""What the officers do on the dossier page: supplement photos (file or camera), correct data, verify,
approve (never while a component is missing), reject, reopen; a stale page is told to reload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gddt.accounts.services import officer_create
from gddt.counter.tests.test_web_support import fresh, officer_client, page_url, photo, supplement_all
from gddt.notifications.models import SmsMessage
from gddt.offices.models import Office
from gddt.registrations.models import Document, DocumentSource, Dossier, Status
from gddt_testing.personas import PERSONA_PASSWORD

pytestmark = pytest.mark.django_db


def _verified(client, dossier: Dossier) -> Dossier:
    response = client.post(page_url(dossier, "verify"), {"version": fresh(dossier).version})
    assert response.status_code == 302, response.content.decode()[:2000]
    return fresh(dossier)


def test_the_verifier_supplements_a_missing_photo_by_upload(hcm_verifier, adult_dossier):
    client = officer_client(hcm_verifier, language="en")
    response = client.post(
        page_url(adult_dossier, "supplement", kind="portrait"),
        {"file": photo("portrait.jpg"), "version": adult_dossier.version},
        follow=True,
    )

    assert response.redirect_chain == [(page_url(adult_dossier), 302)]
    assert "Saved: Portrait." in response.content.decode()
    document = Document.objects.get(dossier=adult_dossier, kind="portrait", replaced_at__isnull=True)
    assert document.source == DocumentSource.COUNTER
    assert document.supplied_by == hcm_verifier
    assert document.supplied_at_office.code == "79"
    assert "Portrait" not in response.context["missing"]
    assert f'src="{page_url(adult_dossier, "document", kind="portrait")}"' in response.content.decode()


def test_a_file_that_is_not_an_image_is_refused_naming_the_photo_and_nothing_is_kept(hcm_verifier, adult_dossier):
    client = officer_client(hcm_verifier)
    bad = SimpleUploadedFile("portrait.jpg", b"this is not a picture", content_type="image/jpeg")
    response = client.post(
        page_url(adult_dossier, "supplement", kind="portrait"), {"file": bad, "version": adult_dossier.version}
    )
    assert response.status_code == 422
    assert response.context["problem"] is not None
    assert response.context["problem"].lines
    assert not Document.objects.filter(dossier=adult_dossier).exists()
    assert fresh(adult_dossier).version == adult_dossier.version


def test_an_upload_without_a_file_says_so(hcm_verifier, adult_dossier):
    response = officer_client(hcm_verifier).post(
        page_url(adult_dossier, "supplement", kind="portrait"), {"version": adult_dossier.version}
    )
    assert response.status_code == 422
    assert "Photo: Choose a photo or take one with the camera first." in response.content.decode()


def test_a_camera_still_sent_by_the_script_is_saved_as_a_chosen_file_and_the_page_answers(hcm_verifier, adult_dossier):
    """The page's script sends the form with fetch and puts the page it gets in place: the answer is the page."""
    client = officer_client(hcm_verifier, language="en")
    url = page_url(adult_dossier, "supplement", kind="id_front")
    response = client.post(
        url,
        {"file": photo("camera.jpg", width=1920, height=1080)},
        headers={"X-Requested-With": "inplace"},
        follow=True,
    )
    assert response.redirect_chain == [(page_url(adult_dossier), 302)]
    assert "Saved: ID card, front." in response.content.decode()
    assert Document.objects.filter(dossier=adult_dossier, kind="id_front").exists()

    small = client.post(
        url, {"file": photo("camera.jpg", width=320, height=240)}, headers={"X-Requested-With": "inplace"}
    )
    assert small.status_code == 422
    assert small.context["problem"].lines


def test_the_verifier_verifies_and_the_completing_office_is_recorded(hcm_verifier, adult_dossier):
    client = officer_client(hcm_verifier)
    response = client.post(page_url(adult_dossier, "verify"), {"version": adult_dossier.version}, follow=True)
    assert response.status_code == 200
    dossier = fresh(adult_dossier)
    assert dossier.status == Status.VERIFIED
    assert dossier.verified_by == hcm_verifier
    assert dossier.completed_office.code == "79"
    assert "The dossier is verified" in response.content.decode()
    assert 'id="verify-button"' not in response.content.decode()


def test_approval_of_an_incomplete_dossier_is_refused_listing_what_is_missing(
    hcm_verifier, hcm_approver, adult_dossier
):
    _verified(officer_client(hcm_verifier), adult_dossier)
    response = officer_client(hcm_approver).post(
        page_url(adult_dossier, "approve"), {"version": fresh(adult_dossier).version}
    )
    assert response.status_code == 409
    html = response.content.decode()
    block = html.split('id="problem"', 1)[1].split("</div>", 1)[0]
    for label in ("ID card, front", "ID card, back", "Portrait", "Signed declaration"):
        assert label in block
    assert fresh(adult_dossier).status == Status.VERIFIED


def test_the_approver_approves_a_complete_dossier_and_sees_the_username(hcm_verifier, hcm_approver, adult_dossier):
    verifier = officer_client(hcm_verifier)
    supplement_all(verifier, adult_dossier)
    _verified(verifier, adult_dossier)

    response = officer_client(hcm_approver).post(
        page_url(adult_dossier, "approve"), {"version": fresh(adult_dossier).version}, follow=True
    )

    assert response.status_code == 200
    dossier = fresh(adult_dossier)
    assert dossier.status == Status.APPROVED
    html = response.content.decode()
    assert f'<dd class="username">{dossier.personal_id}</dd>' in html
    assert "The initial password went by SMS" in html
    assert page_url(dossier, "guide") in html
    assert SmsMessage.objects.filter(dossier_id=dossier.pk, template="approved").exists()
    # the flash message lives in a cookie: it never carries the username (an ID number)
    assert dossier.personal_id not in str(response.cookies)

    guide = officer_client(hcm_approver).get(page_url(dossier, "guide"))
    assert guide.status_code == 200 and guide.content.startswith(b"%PDF")


def test_the_officer_who_verified_may_not_approve(adult_dossier):
    both = officer_create(
        username="hcm.both",
        office=Office.objects.get(code="79"),
        roles=["verifier", "approver"],
        password=PERSONA_PASSWORD,
    )
    client = officer_client(both)
    supplement_all(client, adult_dossier)
    _verified(client, adult_dossier)

    assert 'id="approve-button"' not in client.get(page_url(adult_dossier)).content.decode()
    response = client.post(page_url(adult_dossier, "approve"), {"version": fresh(adult_dossier).version})
    assert response.status_code == 403
    assert response.context["problem"] is not None
    assert fresh(adult_dossier).status == Status.VERIFIED


def test_the_verifier_rejects_with_a_reason_and_a_note(hcm_verifier, adult_dossier):
    client = officer_client(hcm_verifier)
    html = client.get(page_url(adult_dossier)).content.decode()
    assert 'value="identity_mismatch"' in html and 'value="missing_documents"' not in html

    response = client.post(
        page_url(adult_dossier, "reject"),
        {"reason_code": "identity_mismatch", "note": "Ảnh không khớp người đến", "version": adult_dossier.version},
    )

    assert response.status_code == 302
    dossier = fresh(adult_dossier)
    assert dossier.status == Status.REJECTED
    assert dossier.transitions.latest("at").note == "Ảnh không khớp người đến"


def test_a_rejection_without_a_reason_names_the_field(hcm_verifier, adult_dossier):
    response = officer_client(hcm_verifier).post(
        page_url(adult_dossier, "reject"), {"reason_code": "", "note": "", "version": adult_dossier.version}
    )
    assert response.status_code == 422
    assert "Reason for rejection:" in response.content.decode()
    assert fresh(adult_dossier).status == Status.SUBMITTED


def test_a_stale_page_is_told_that_someone_changed_the_dossier(hcm_verifier, hanoi_verifier, adult_dossier):
    stale_version = adult_dossier.version
    officer_client(hanoi_verifier).post(
        page_url(adult_dossier, "supplement", kind="portrait"), {"file": photo(), "version": stale_version}
    )
    assert fresh(adult_dossier).version > stale_version

    response = officer_client(hcm_verifier).post(page_url(adult_dossier, "verify"), {"version": stale_version})

    assert response.status_code == 412
    html = response.content.decode()
    assert "Someone changed this dossier" in html
    assert f'name="version" value="{fresh(adult_dossier).version}"' in html  # the page now shows the latest
    assert fresh(adult_dossier).status == Status.SUBMITTED


def test_a_stale_correction_is_refused_too(hcm_verifier, adult_dossier):
    client = officer_client(hcm_verifier)
    client.post(
        page_url(adult_dossier, "supplement", kind="portrait"), {"file": photo(), "version": adult_dossier.version}
    )
    response = client.post(
        page_url(adult_dossier, "correct"),
        {"full_name": "Nguyễn Văn Ân", "reason": "Sai dấu", "version": adult_dossier.version},
    )
    assert response.status_code == 412
    assert "Someone changed this dossier" in response.content.decode()
    assert fresh(adult_dossier).full_name == "Nguyễn Văn An"


def test_a_correction_is_saved_with_its_reason(hcm_verifier, adult_dossier):
    response = officer_client(hcm_verifier).post(
        page_url(adult_dossier, "correct"),
        {
            "full_name": "Nguyễn Văn Ân",
            "address.street": "14 Tràng Tiền",
            "phone": adult_dossier.phone,
            "reason": "Gõ sai khi đăng ký",
            "version": adult_dossier.version,
        },
    )
    assert response.status_code == 302
    dossier = fresh(adult_dossier)
    assert dossier.full_name == "Nguyễn Văn Ân"
    assert dossier.street == "14 Tràng Tiền"


def test_a_correction_without_a_reason_keeps_what_was_typed_and_names_the_field(hcm_verifier, adult_dossier):
    response = officer_client(hcm_verifier).post(
        page_url(adult_dossier, "correct"),
        {"full_name": "Nguyễn Văn Ân", "reason": "", "version": adult_dossier.version},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Reason for the correction:" in html
    assert 'value="Nguyễn Văn Ân"' in html
    assert fresh(adult_dossier).full_name == "Nguyễn Văn An"


def test_a_bad_correction_names_the_field(hcm_verifier, adult_dossier):
    response = officer_client(hcm_verifier).post(
        page_url(adult_dossier, "correct"), {"phone": "12345", "reason": "Đổi số", "version": adult_dossier.version}
    )
    assert response.status_code == 422
    assert "Mobile phone number:" in response.content.decode()
    assert fresh(adult_dossier).phone == adult_dossier.phone


def test_an_expired_dossier_is_reopened_with_a_note(hcm_verifier, adult_dossier):
    Dossier.objects.filter(pk=adult_dossier.pk).update(status=Status.EXPIRED)
    client = officer_client(hcm_verifier)
    html = client.get(page_url(adult_dossier)).content.decode()
    assert 'id="reopen-button"' in html and 'id="verify-button"' not in html

    refused = client.post(page_url(adult_dossier, "reopen"), {"note": "", "version": fresh(adult_dossier).version})
    assert refused.status_code == 422
    assert "Note:" in refused.content.decode()

    response = client.post(
        page_url(adult_dossier, "reopen"), {"note": "Người dân đến sau hạn", "version": fresh(adult_dossier).version}
    )
    assert response.status_code == 302
    assert fresh(adult_dossier).status == Status.SUBMITTED
