"""The dossier page's action panel (the next step, as the work goes on), what the states table lets it print, the
approver's queue of verified dossiers, and the small things an officer reads: "today", the country's name, the
newest audit events first with the rest on demand."""

import re

import pytest

from gddt.counter import services
from gddt.counter.tests.test_web_support import HOME, officer_client, page_url, photo, supplement_all
from gddt.registrations.models import Dossier, Status
from gddt.registrations.services import registration_submit
from gddt_testing.factories import adult_data

pytestmark = pytest.mark.django_db


def _next_step(html: str) -> str:
    found = re.search(r'class="step[^"]*is-next[^"]*" id="step-([a-z]+)"', html)
    return found.group(1) if found else ""


def _fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def test_the_panel_shows_the_next_step_as_the_counter_work_goes_on(hcm_verifier, adult_dossier):
    client = officer_client(hcm_verifier)
    html = client.get(page_url(adult_dossier)).content.decode()
    assert _next_step(html) == "photos"
    for kind in ("id_front", "id_back", "portrait"):  # one picker per missing photo, in the panel
        assert f'id="file-{kind}"' in html.split('id="action-panel"', 1)[1]

    for kind in ("id_front", "id_back", "portrait"):
        client.post(
            page_url(adult_dossier, "supplement", kind=kind),
            {"file": photo(f"{kind}.jpg"), "version": _fresh(adult_dossier).version},
        )
    assert _next_step(client.get(page_url(adult_dossier)).content.decode()) == "print"

    assert client.get(page_url(adult_dossier, "declaration")).status_code == 200
    assert _next_step(client.get(page_url(adult_dossier)).content.decode()) == "signed"

    client.post(
        page_url(adult_dossier, "supplement", kind="signed_declaration"),
        {"file": photo("signed.jpg"), "version": _fresh(adult_dossier).version},
    )
    assert _next_step(client.get(page_url(adult_dossier)).content.decode()) == "verify"

    client.post(page_url(adult_dossier, "verify"), {"version": _fresh(adult_dossier).version})
    html = client.get(page_url(adult_dossier)).content.decode()
    assert _next_step(html) == ""  # a verifier does not approve
    assert "Verified: waiting for an approving officer." in html


def test_the_approver_is_offered_approval_only_when_nothing_is_missing(hcm_verifier, hcm_approver, adult_dossier):
    verifier = officer_client(hcm_verifier)
    verifier.post(page_url(adult_dossier, "verify"), {"version": adult_dossier.version})
    approver = officer_client(hcm_approver)
    html = approver.get(page_url(adult_dossier)).content.decode()
    assert _next_step(html) == ""
    assert "A component is missing: a receiving officer supplements it before approval." in html

    supplement_all(verifier, adult_dossier)
    # A supplement on a verified dossier voids the verification: verify again, then the approver's turn.
    if _fresh(adult_dossier).status == Status.SUBMITTED:
        verifier.post(page_url(adult_dossier, "verify"), {"version": _fresh(adult_dossier).version})
    assert _next_step(approver.get(page_url(adult_dossier)).content.decode()) == "approve"


@pytest.mark.parametrize("status", [Status.REJECTED, Status.EXPIRED])
def test_a_rejected_or_expired_dossier_offers_no_print_and_refuses_one(hcm_verifier, adult_dossier, status):
    client = officer_client(hcm_verifier)
    if status == Status.REJECTED:
        services.dossier_reject(
            officer=hcm_verifier, dossier=adult_dossier, reason_code="person_withdrew", note="", client_ip=None
        )
    else:
        Dossier.objects.filter(pk=adult_dossier.pk).update(status=Status.EXPIRED)
    html = client.get(page_url(adult_dossier)).content.decode()
    assert page_url(adult_dossier, "declaration") not in html
    assert 'id="print-declaration"' not in html
    assert client.get(page_url(adult_dossier, "declaration")).status_code == 409


def test_an_approved_dossier_offers_the_guide_next_and_still_reprints_the_declaration(
    hcm_verifier, hcm_approver, adult_dossier
):
    verifier = officer_client(hcm_verifier)
    supplement_all(verifier, adult_dossier)
    verifier.post(page_url(adult_dossier, "verify"), {"version": _fresh(adult_dossier).version})
    approver = officer_client(hcm_approver)
    approver.post(page_url(adult_dossier, "approve"), {"version": _fresh(adult_dossier).version})
    html = approver.get(page_url(adult_dossier)).content.decode()
    assert _next_step(html) == "guide"
    assert 'id="print-guide"' in html
    assert 'id="print-declaration"' not in html  # not a step any more
    assert page_url(adult_dossier, "declaration") in html  # the states table still allows a reprint


def test_the_prints_may_be_framed_by_the_counter_pages_only(hcm_verifier, adult_dossier):
    response = officer_client(hcm_verifier).get(page_url(adult_dossier, "declaration"))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    # The pages themselves are never framed.
    page = officer_client(hcm_verifier).get(page_url(adult_dossier))
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_a_dossier_of_today_says_today_and_the_nationality_is_the_countrys_name(hcm_verifier, adult_dossier):
    html = officer_client(hcm_verifier, language="vi").get(page_url(adult_dossier)).content.decode()
    assert "nộp hôm nay" in html and "cách đây 0 ngày" not in html
    assert '<dd class="nationality">Việt Nam</dd>' in html
    english = officer_client(hcm_verifier, language="en").get(page_url(adult_dossier)).content.decode()
    assert "submitted today" in english and '<dd class="nationality">Vietnam</dd>' in english


def test_the_audit_log_shows_the_five_newest_events_and_the_rest_on_demand(hcm_verifier, adult_dossier):
    client = officer_client(hcm_verifier)
    for _ in range(12):
        client.get(page_url(adult_dossier))
    response = client.get(page_url(adult_dossier))
    recent, earlier = response.context["history_recent"], response.context["history_earlier"]
    assert len(recent) == 5 and len(earlier) == response.context["history_count"] - 5 > 0
    assert recent[0]["at"] >= recent[-1]["at"] >= earlier[0]["at"]  # newest first
    html = response.content.decode()
    assert '<details class="audit">' in html and f"Show the {len(earlier)} earlier events" in html


def _verified_by(verifier, dossier: Dossier) -> None:
    client = officer_client(verifier)
    client.post(page_url(dossier, "verify"), {"version": _fresh(dossier).version})
    assert _fresh(dossier).status == Status.VERIFIED


def test_the_approver_finds_verified_dossiers_of_their_offices_newest_first(
    hcm_verifier, hcm_approver, hanoi_approver, adult_dossier, minor_dossier
):
    second = Dossier.objects.get(pk=registration_submit(data=adult_data(), files={}).dossier_id)
    _verified_by(hcm_verifier, adult_dossier)
    _verified_by(hcm_verifier, second)
    waiting = Dossier.objects.get(pk=minor_dossier.pk)  # submitted, not verified: not waiting for approval

    response = officer_client(hcm_approver).get(HOME)
    numbers = [row.dossier.pk for row in response.context["awaiting"]]
    assert numbers == [second.pk, adult_dossier.pk]  # completed at HCM, newest verification first
    html = response.content.decode()
    assert f'href="{page_url(second)}"' in html.split('class="card awaiting"', 1)[1]
    assert waiting.pk not in numbers

    # Hà Nội's approver sees them too (chosen in Hà Nội); the minor's dossier of HCM, once verified, is not theirs.
    _verified_by(hcm_verifier, minor_dossier)
    hanoi = [row.dossier.pk for row in officer_client(hanoi_approver).get(HOME).context["awaiting"]]
    assert hanoi == [second.pk, adult_dossier.pk]


def test_a_verifier_has_no_approval_queue(hcm_verifier, adult_dossier):
    response = officer_client(hcm_verifier).get(HOME)
    assert response.context["awaiting"] is None
    assert 'class="card awaiting"' not in response.content.decode()
