"""Who may open the counter pages: signed-in officers past the second factor, with a role; everyone else is sent
to sign in (no session, no second factor) or refused (403/404)."""

import pytest
from django.conf import settings

from gddt.counter.tests.test_web_support import HOME, number_of, officer_client, page_url, photo

pytestmark = pytest.mark.django_db

PAGES = [
    ("GET", "home", {}),
    ("POST", "home", {}),
    ("GET", "dossier", {}),
    ("GET", "document", {"kind": "portrait"}),
    ("GET", "declaration", {}),
    ("GET", "guide", {}),
    ("POST", "supplement", {"kind": "portrait"}),
    ("POST", "correct", {}),
    ("POST", "verify", {}),
    ("POST", "approve", {}),
    ("POST", "reject", {}),
    ("POST", "reopen", {}),
]


def _request(client, method, name, kwargs, dossier):
    url = HOME if name == "home" else page_url(dossier, name, **kwargs)
    if method == "GET":
        return client.get(url)
    data = {"q": dossier.personal_id} if name == "home" else {
        "file": photo(), "reason_code": "other", "note": "x", "reason": "x", "full_name": "Nguyễn Văn Bình",
        "version": dossier.version}
    return client.post(url, data)


@pytest.mark.parametrize(("method", "name", "kwargs"), PAGES)
def test_an_outsider_is_refused_on_every_page(outsider, adult_dossier, method, name, kwargs):
    before = adult_dossier.version
    response = _request(officer_client(outsider), method, name, kwargs, adult_dossier)
    assert response.status_code in (403, 404)
    adult_dossier.refresh_from_db()
    assert adult_dossier.version == before and adult_dossier.status == "submitted"


@pytest.mark.parametrize(("method", "name", "kwargs"), PAGES)
def test_an_officer_without_the_second_factor_is_sent_to_sign_in(hcm_verifier, adult_dossier, method, name, kwargs):
    response = _request(officer_client(hcm_verifier, verified=False), method, name, kwargs, adult_dossier)
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)
    assert adult_dossier.personal_id not in response["Location"]


@pytest.mark.parametrize(("method", "name", "kwargs"), PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, adult_dossier, method, name, kwargs):
    response = _request(client, method, name, kwargs, adult_dossier)
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)


def test_a_director_does_not_reach_a_dossier_outside_the_subtree(hanoi_director, minor_dossier):
    response = officer_client(hanoi_director).get(page_url(minor_dossier))
    assert response.status_code == 404
    assert minor_dossier.full_name not in response.content.decode()


@pytest.mark.parametrize(("name", "kwargs"), [("dossier", {}), ("document", {"kind": "portrait"}),
                                              ("declaration", {}), ("guide", {})])
def test_a_director_without_a_counter_role_opens_no_dossier_photo_or_declaration(hanoi_director, adult_dossier,
                                                                                name, kwargs):
    response = officer_client(hanoi_director).get(page_url(adult_dossier, name, **kwargs))
    assert response.status_code == 403
    html = response.content.decode()
    assert adult_dossier.full_name not in html and adult_dossier.personal_id not in html


def test_a_director_browses_the_queue_without_links_to_the_dossiers(hanoi_director, adult_dossier):
    html = officer_client(hanoi_director).get(HOME).content.decode()
    assert number_of(adult_dossier) in html
    assert page_url(adult_dossier) not in html


def test_a_verifier_of_another_province_reaches_the_dossier_by_its_number(hcm_verifier, adult_dossier):
    response = officer_client(hcm_verifier).get(page_url(adult_dossier))
    assert response.status_code == 200


def test_a_mistyped_number_in_the_path_is_not_found(hcm_verifier, adult_dossier):
    digits = adult_dossier.number
    wrong = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    response = officer_client(hcm_verifier).get(f"/can-bo/ho-so/{wrong}/")
    assert response.status_code == 404


def test_the_pages_are_never_cached(hcm_verifier, adult_dossier):
    for url in (HOME, page_url(adult_dossier)):
        response = officer_client(hcm_verifier).get(url)
        assert "no-store" in response["Cache-Control"]
