"""Printing the declaration (rule 3) and the VssID guide (rule 6); every print is recorded."""

from gddt.audit.models import AuditEvent
from gddt.counter.tests.apiclient import CLIENT_IP, OfficerApi, complete, url


def test_the_declaration_is_a_private_pdf_and_its_printing_is_recorded(minor_dossier, hanoi_verifier):
    response = OfficerApi(hanoi_verifier).get(url(minor_dossier, "/declaration.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(action="declaration.print")
    assert (event.actor, event.office.code, event.client_ip, event.dossier) == (
        hanoi_verifier,
        "01",
        CLIENT_IP,
        minor_dossier,
    )


def test_the_guide_is_printed_only_once_the_dossier_is_approved(adult_dossier, hcm_verifier, hcm_approver):
    api = OfficerApi(hcm_approver)
    refused = api.get(url(adult_dossier, "/guide.pdf"))
    assert refused.status_code == 409 and refused.json()["code"] == "not_approved"
    complete(adult_dossier, hcm_verifier)
    assert api.post(url(adult_dossier, "/approve")).status_code == 200
    response = api.get(url(adult_dossier, "/guide.pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(action="guide.print", dossier=adult_dossier, actor=hcm_approver).count() == 1


def test_the_declaration_of_a_rejected_or_expired_dossier_is_not_printed(adult_dossier, minor_dossier, hanoi_verifier):
    from datetime import timedelta

    from django.utils import timezone

    from gddt.registrations.models import Dossier, Status
    from gddt.registrations.services import dossiers_expire_due

    api = OfficerApi(hanoi_verifier)
    assert api.post(url(adult_dossier, "/reject"), {"reason_code": "identity_mismatch", "note": ""}).status_code == 200
    Dossier.objects.filter(pk=minor_dossier.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert dossiers_expire_due() == 1
    for dossier, status in ((adult_dossier, Status.REJECTED), (minor_dossier, Status.EXPIRED)):
        dossier.refresh_from_db()
        assert dossier.status == status
        refused = api.get(url(dossier, "/declaration.pdf"))
        assert refused.status_code == 409
        assert refused["Content-Type"] == "application/problem+json"
        assert refused.json()["code"] == "not_printable"
        assert not AuditEvent.objects.filter(action="declaration.print", dossier=dossier).exists()
