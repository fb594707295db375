"""Finding a dossier at the counter by whatever the person brings (rules 3, 4, 14)."""

import pytest

from gddt.audit.models import AuditEvent
from gddt.counter import selectors
from gddt.counter.tests.apiclient import BASE, CLIENT_IP, OfficerApi, number_of
from gddt.registrations.models import Dossier
from gddt.registrations.numbers import dossier_number_is_valid
from gddt.registrations.services import registration_submit
from gddt_testing.factories import adult_data, bhxh_code_new


def _mistype(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def _hits(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["dossier_no"] for row in response.json()]


@pytest.mark.parametrize("shape", ["formatted", "digits", "spaced", "qr", "qr_lowercase"])
def test_it_finds_a_dossier_of_another_province_by_its_number_in_any_shape(adult_dossier, hcm_verifier, shape):
    digits = adult_dossier.number
    reference = {
        "formatted": number_of(adult_dossier),
        "digits": digits,
        "spaced": f" {digits[:2]} {digits[2:-1]} {digits[-1]} ",
        "qr": f"GDDT:{digits}",
        "qr_lowercase": f"gddt:{number_of(adult_dossier)}",
    }[shape]
    assert _hits(OfficerApi(hcm_verifier).get(BASE, {"q": reference})) == [number_of(adult_dossier)]


def test_it_finds_a_dossier_by_personal_id_insurance_number_and_phone(hcm_approver):
    bhxh = bhxh_code_new()
    data = adult_data(bhxh_code=bhxh, phone="0387654321")
    dossier = Dossier.objects.get(pk=registration_submit(data=data, files={}).dossier_id)
    api = OfficerApi(hcm_approver)
    for reference in (data["personal_id"], bhxh, "0387654321", "+84387654321", "038 765 4321"):
        assert _hits(api.get(BASE, {"q": reference})) == [number_of(dossier)], reference


def test_it_finds_a_minor_by_the_guardians_phone(minor_dossier, hanoi_verifier):
    assert number_of(minor_dossier) in _hits(OfficerApi(hanoi_verifier).get(BASE, {"q": "0987654321"}))


def test_a_search_result_is_a_list_of_summaries(adult_dossier, hanoi_verifier):
    [row] = OfficerApi(hanoi_verifier).get(BASE, {"q": adult_dossier.personal_id}).json()
    assert set(row) >= {"dossier_no", "full_name", "status", "category", "office_code", "submitted_at", "age_days"}
    assert row["full_name"] == "Nguyễn Văn An"
    assert row["status"] == "submitted" and row["office_code"] == "01" and row["age_days"] == 0


def test_the_reference_may_travel_in_a_post_body_instead_of_the_url(adult_dossier, hcm_verifier):
    response = OfficerApi(hcm_verifier).post(BASE + "/search", {"q": adult_dossier.personal_id})
    assert _hits(response) == [number_of(adult_dossier)]


@pytest.mark.parametrize("shape", ["formatted", "digits", "qr"])
def test_a_mistyped_dossier_number_is_called_mistyped(adult_dossier, hanoi_verifier, shape):
    wrong = _mistype(adult_dossier.number)
    reference = {"formatted": f"{wrong[:2]}-{wrong[2:-1]}-{wrong[-1]}", "digits": wrong, "qr": f"GDDT:{wrong}"}[shape]
    response = OfficerApi(hanoi_verifier).get(BASE, {"q": reference}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "mistyped_dossier_no"
    assert body["errors"][0]["field"] == "q"
    assert "mistyped" in body["errors"][0]["message"]


def test_a_mistyped_dossier_number_is_explained_in_vietnamese_by_default(adult_dossier, hanoi_verifier):
    api = OfficerApi(hanoi_verifier)
    response = api.client.get(BASE, {"q": number_of(adult_dossier)[:-1] + "x"}, headers=api.headers)
    assert response.status_code == 422
    wrong = _mistype(adult_dossier.number)
    response = api.client.get(BASE, {"q": f"{wrong[:2]}-{wrong[2:-1]}-{wrong[-1]}"}, headers=api.headers)
    assert "nhầm" in response.json()["errors"][0]["message"]


def test_an_unknown_but_well_formed_reference_finds_nothing(hanoi_verifier, adult_dossier):
    api = OfficerApi(hanoi_verifier)
    assert _hits(api.get(BASE, {"q": "0399999999"})) == []
    other_pid = adult_data()["personal_id"]
    assert _hits(api.get(BASE, {"q": other_pid})) == []


@pytest.mark.parametrize("q", ["", "   ", "Nguyễn Văn An", "12345", "abc-def"])
def test_an_empty_or_shapeless_reference_is_refused_naming_q(hanoi_verifier, q):
    response = OfficerApi(hanoi_verifier).get(BASE, {"q": q})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "q"


def test_a_search_is_audited_without_the_reference(adult_dossier, hcm_verifier):
    OfficerApi(hcm_verifier).get(BASE, {"q": adult_dossier.personal_id})
    event = AuditEvent.objects.filter(action="dossier.search").latest("id")
    assert event.actor == hcm_verifier and event.office.code == "79" and event.client_ip == CLIENT_IP
    assert event.dossier == adult_dossier
    # One random personal ID in ten also passes the dossier-number check digit: then it is looked up as both.
    expected = ["dossier_no", "personal_id"] if dossier_number_is_valid(adult_dossier.personal_id) else ["personal_id"]
    assert event.detail["kinds"] == expected and event.detail["hits"] == 1
    assert adult_dossier.personal_id not in str(event.detail)


def test_a_director_or_an_outsider_may_not_search_the_whole_country(adult_dossier, hanoi_director, outsider):
    for officer in (hanoi_director, outsider):
        response = OfficerApi(officer).get(BASE, {"q": number_of(adult_dossier)})
        assert response.status_code == 403


def test_the_search_selector_is_usable_without_a_request(adult_dossier, hcm_verifier):
    assert selectors.dossier_search(officer=hcm_verifier, q=number_of(adult_dossier)) == [adult_dossier]
