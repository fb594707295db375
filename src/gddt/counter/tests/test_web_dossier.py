"""The dossier page: the data beside the photos, what is missing, the private photo view, the printed
declaration and the history; every look is audited."""

import pytest

from gddt.audit.models import AuditEvent
from gddt.counter.tests.test_web_support import HOME, number_of, officer_client, page_url, photo
from gddt.registrations.models import Dossier
from gddt.registrations.services import registration_submit
from gddt_testing.factories import adult_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier_with_photos(db) -> Dossier:
    """Submitted online with the ID card's two sides and the portrait; the signed declaration is missing."""
    files = {kind: photo(f"{kind}.jpg") for kind in ("id_front", "id_back", "portrait")}
    return Dossier.objects.get(pk=registration_submit(data=adult_data(), files=files).dossier_id)


def test_the_page_shows_the_data_and_what_is_missing(hcm_verifier, adult_dossier):
    response = officer_client(hcm_verifier).get(page_url(adult_dossier))
    assert response.status_code == 200
    html = response.content.decode()
    assert number_of(adult_dossier) in html
    assert adult_dossier.full_name in html
    assert adult_dossier.personal_id in html
    assert "17/05/1990" in html
    assert "12 Tràng Tiền" in html
    assert 'class="missing"' in html
    for label in ("ID card, front", "ID card, back", "Portrait", "Signed declaration"):
        assert label in html
    assert response.context["missing"] == ["ID card, front", "ID card, back", "Portrait", "Signed declaration"]


def test_the_photos_are_image_tags_that_point_to_the_private_view(hcm_verifier, dossier_with_photos):
    html = officer_client(hcm_verifier).get(page_url(dossier_with_photos)).content.decode()
    for kind in ("id_front", "id_back", "portrait"):
        assert f'<img src="{page_url(dossier_with_photos, "document", kind=kind)}"' in html
    assert "/media/" not in html and "documents/" not in html  # never a storage path
    assert response_missing(html) == ["Signed declaration"]


def response_missing(html: str) -> list[str]:
    block = html.split('<ul class="missing-list">', 1)[1].split("</ul>", 1)[0]
    return [item.split("</li>")[0].strip() for item in block.split("<li>")[1:]]


def test_the_photo_view_streams_a_jpeg_that_is_never_cached_and_audits_it(hcm_verifier, dossier_with_photos):
    client = officer_client(hcm_verifier)
    before = AuditEvent.objects.filter(action="document.view", dossier=dossier_with_photos).count()

    response = client.get(page_url(dossier_with_photos, "document", kind="portrait"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response.content[:3] == b"\xff\xd8\xff"
    events = AuditEvent.objects.filter(action="document.view", dossier=dossier_with_photos)
    assert events.count() == before + 1
    assert events.latest("id").actor == hcm_verifier


def test_a_photo_that_is_not_there_is_not_found(hcm_verifier, adult_dossier):
    response = officer_client(hcm_verifier).get(page_url(adult_dossier, "document", kind="portrait"))
    assert response.status_code == 404


def test_every_look_at_the_dossier_is_audited(hcm_verifier, adult_dossier):
    client = officer_client(hcm_verifier)
    client.get(page_url(adult_dossier))
    client.get(page_url(adult_dossier))
    events = AuditEvent.objects.filter(action="dossier.view", dossier=adult_dossier, actor=hcm_verifier)
    assert events.count() == 2
    assert events.latest("id").office == hcm_verifier.office


def test_the_declaration_opens_as_a_private_pdf_and_is_audited(hcm_verifier, adult_dossier):
    client = officer_client(hcm_verifier)
    html = client.get(page_url(adult_dossier)).content.decode()
    assert f'href="{page_url(adult_dossier, "declaration")}" target="_blank"' in html

    response = client.get(page_url(adult_dossier, "declaration"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="declaration.print", dossier=adult_dossier).exists()


def test_the_guide_is_refused_before_approval(hcm_verifier, adult_dossier):
    response = officer_client(hcm_verifier).get(page_url(adult_dossier, "guide"))
    assert response.status_code == 409


def test_the_history_lists_who_did_what_where_and_when(hcm_verifier, adult_dossier):
    client = officer_client(hcm_verifier)
    client.post(page_url(adult_dossier, "verify"), {"version": adult_dossier.version})
    response = client.get(page_url(adult_dossier))
    transitions = response.context["transitions"]
    assert [str(t["action"]) for t in transitions] == ["Verified", "Submitted"]
    assert transitions[0]["who"] == "hcm.verifier" and transitions[0]["office"].code == "79"
    history = response.context["history_recent"] + response.context["history_earlier"]
    actions = [str(e["action"]) for e in history]
    assert "Verified" in actions and "Viewed the dossier" in actions
    html = response.content.decode()
    assert "hcm.verifier" in html
    assert AuditEvent.objects.filter(action="history.view", dossier=adult_dossier).exists()


def test_the_verifier_sees_the_verifier_actions_only(hcm_verifier, adult_dossier):
    html = officer_client(hcm_verifier).get(page_url(adult_dossier)).content.decode()
    assert 'id="verify-button"' in html
    assert 'id="reject-button"' in html
    assert 'id="approve-button"' not in html
    assert 'id="reopen-button"' not in html
    assert 'type="file"' in html and 'accept="image/*"' in html and "capture=" in html
    assert f'name="version" value="{adult_dossier.version}"' in html


def test_an_administrator_only_reads(admin_officer, adult_dossier):
    html = officer_client(admin_officer).get(page_url(adult_dossier)).content.decode()
    assert adult_dossier.full_name in html
    for button in ("verify-button", "approve-button", "reject-button"):
        assert f'id="{button}"' not in html
    assert 'type="file"' not in html


def test_the_page_has_no_inline_script_or_style(hcm_verifier, adult_dossier):
    html = officer_client(hcm_verifier).get(page_url(adult_dossier)).content.decode()
    assert "<script>" not in html and 'style="' not in html and " onclick=" not in html
    assert "counter/dossier.js" in html and "counter/counter.css" in html
    assert HOME in html
