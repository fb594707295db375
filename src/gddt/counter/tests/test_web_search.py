"""The officer's search box and browse queue (/can-bo/): any reference, POSTed so that no ID number ever
reaches a URL or an access log; the queue of the own subtree."""

from datetime import timedelta

import pytest

from gddt.audit.models import AuditEvent
from gddt.counter.tests.test_web_support import HOME, number_of, officer_client, page_url, urls_of
from gddt.registrations.models import Dossier
from gddt.registrations.numbers import dossier_number_make, dossier_qr_payload
from gddt.registrations.services import registration_submit
from gddt_testing.factories import adult_data, bhxh_code_new, personal_id_for

pytestmark = pytest.mark.django_db


def _submit(**overrides) -> Dossier:
    return Dossier.objects.get(pk=registration_submit(data=adult_data(**overrides), files={}).dossier_id)


def test_the_search_page_has_one_focused_search_box_that_posts(hcm_verifier):
    response = officer_client(hcm_verifier).get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form class="search" method="post"' in html
    assert 'name="q"' in html and "autofocus" in html
    assert "counter/scan.js" in html  # the camera scan button is wired by a static script (strict CSP)
    assert "<script>" not in html and 'style="' not in html


REFERENCE_KINDS = ["formatted_number", "digits_only", "qr_payload", "personal_id", "bhxh_code", "phone"]


@pytest.mark.parametrize("kind", REFERENCE_KINDS)
def test_it_finds_a_dossier_by_each_kind_of_reference_and_keeps_it_out_of_urls(hcm_verifier, kind):
    dossier = _submit(bhxh_code=bhxh_code_new(), phone="0978123456")
    reference = {
        "formatted_number": number_of(dossier),
        "digits_only": dossier.number,
        "qr_payload": dossier_qr_payload(dossier.number),
        "personal_id": dossier.personal_id,
        "bhxh_code": dossier.bhxh_code,
        "phone": "0978 123 456",
    }[kind]

    response = officer_client(hcm_verifier).post(HOME, {"q": reference}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(page_url(dossier), 302)]
    assert response.context["dossier"].pk == dossier.pk
    for url in urls_of(response):
        for secret in (dossier.personal_id, dossier.bhxh_code, dossier.phone):
            assert secret not in url


def test_it_lists_several_dossiers_that_share_a_phone(hcm_verifier):
    first, second = _submit(), _submit()
    response = officer_client(hcm_verifier).post(HOME, {"q": "0912345678"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 dossiers match" in html
    assert number_of(first) in html and number_of(second) in html
    assert page_url(first) in html and page_url(second) in html


def test_it_says_clearly_when_nothing_matches(hcm_verifier, adult_dossier):
    stranger = personal_id_for(born=adult_dossier.date_of_birth, sex="female")
    response = officer_client(hcm_verifier).post(HOME, {"q": stranger})
    assert response.status_code == 200
    assert "No dossier matches this reference" in response.content.decode()


def test_it_says_a_dossier_number_is_mistyped(hcm_verifier, adult_dossier):
    digits = adult_dossier.number
    wrong = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    typed = f"{wrong[:2]}-{wrong[2:-1]}-{wrong[-1]}"
    response = officer_client(hcm_verifier).post(HOME, {"q": typed})
    assert response.status_code == 422
    html = response.content.decode()
    assert "mistyped" in html
    assert 'aria-invalid="true"' in html


def test_an_unknown_but_valid_dossier_number_is_not_found(hcm_verifier, adult_dossier):
    unknown = dossier_number_make(year=26, sequence=9_999_998)
    response = officer_client(hcm_verifier).post(HOME, {"q": unknown})
    assert response.status_code == 200
    assert "No dossier matches this reference" in response.content.decode()


def test_an_empty_search_names_the_field(hcm_verifier):
    response = officer_client(hcm_verifier).post(HOME, {"q": "   "})
    assert response.status_code == 422
    assert "Reference:" in response.content.decode()


def test_the_search_is_audited_without_the_reference(hcm_verifier, adult_dossier):
    officer_client(hcm_verifier).post(HOME, {"q": adult_dossier.personal_id})
    event = AuditEvent.objects.filter(action="dossier.search").latest("id")
    assert event.actor == hcm_verifier
    assert adult_dossier.personal_id not in str(event.detail)


def test_browsing_stays_within_the_officers_subtree(hanoi_verifier, hcm_verifier, adult_dossier, minor_dossier):
    hanoi_page = officer_client(hanoi_verifier).get(HOME).content.decode()
    assert number_of(adult_dossier) in hanoi_page  # chose Hà Nội
    assert number_of(minor_dossier) not in hanoi_page  # chose Hồ Chí Minh

    hcm_page = officer_client(hcm_verifier).get(HOME).content.decode()
    assert number_of(minor_dossier) in hcm_page
    assert number_of(adult_dossier) not in hcm_page


def test_the_queue_filters_by_status_and_office_and_shows_the_age_in_days(hanoi_director, adult_dossier):
    Dossier.objects.filter(pk=adult_dossier.pk).update(submitted_at=adult_dossier.submitted_at - timedelta(days=5))
    client = officer_client(hanoi_director)

    rows = client.get(HOME, {"status": "submitted", "office": "01"}).context["queue"]
    assert [(row.dossier.pk, row.age_days) for row in rows] == [(adult_dossier.pk, 5)]

    assert client.get(HOME, {"status": "verified"}).context["queue"] == []

    outside = client.get(HOME, {"office": "79"})
    assert outside.status_code == 200
    assert outside.context["browse_problem"] is not None
    assert number_of(adult_dossier) not in outside.content.decode()


def test_the_counter_speaks_vietnamese_by_default_and_english_on_request(hcm_verifier, adult_dossier):
    vietnamese = officer_client(hcm_verifier, language="vi").get(page_url(adult_dossier)).content.decode()
    assert "Thông tin đăng ký" in vietnamese and "Xác minh" in vietnamese
    english = officer_client(hcm_verifier, language="en").get(page_url(adult_dossier)).content.decode()
    assert "Registered data" in english and "Verify" in english
