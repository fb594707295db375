"""Exact errors on the officers' API (issue 7 item 7): bounds of paging answered with a 422 naming the parameter, an
unauthenticated change answered 401 (the CSRF check is for signed-in sessions only), unknown fields refused."""

import re

import pytest
from django.test import Client

from gddt.api import api
from gddt.counter.schemas import PAGE_OFFSET_MAX
from gddt.counter.tests.apiclient import BASE, OfficerApi, url
from gddt.counter.tests.test_web_support import officer_client


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("offset=9223372036854775808", "offset", "less_than_equal"),
        ("offset=99999999999999999999999999", "offset", "less_than_equal"),
        (f"offset={PAGE_OFFSET_MAX + 1}", "offset", "less_than_equal"),
        ("offset=-1", "offset", "greater_than_equal"),
        ("limit=9223372036854775808", "limit", "less_than_equal"),
        ("limit=201", "limit", "less_than_equal"),
        ("limit=0", "limit", "greater_than_equal"),
        ("limit=-5", "limit", "greater_than_equal"),
        ("limit=ten", "limit", "int_parsing"),
    ],
)
def test_paging_out_of_its_bounds_is_a_422_naming_the_parameter(hanoi_verifier, query, field, code):
    response = OfficerApi(hanoi_verifier).get(f"{BASE}?{query}")
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]


def test_a_bound_is_named_in_the_message(hanoi_verifier):
    response = OfficerApi(hanoi_verifier).get(f"{BASE}?limit=500", headers={"Accept-Language": "en"})
    assert response.json()["errors"][0]["message"] == "At most 200."


def test_the_last_offset_allowed_is_an_empty_page(hanoi_verifier, adult_dossier):
    response = OfficerApi(hanoi_verifier).get(f"{BASE}?offset={PAGE_OFFSET_MAX}&limit=200")
    assert response.status_code == 200
    assert response.json()["results"] == [] and response.json()["count"] == 1


def _officer_changes() -> list[tuple[str, str]]:
    """Every POST, PUT and PATCH of the officers' endpoints, read from the API itself, path parameters filled."""
    fill = {"dossier_no": "26-0000001-4", "kind": "portrait", "username": "hn.verifier"}
    found = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            schemes = {name for scheme in operation.get("security", []) for name in scheme}
            if method in ("post", "put", "patch") and "OfficerSession" in schemes:
                found.append((method, re.sub(r"\{(\w+)\}", lambda m: fill[m.group(1)], path)))
    return found


def test_the_officers_api_has_changes_to_check():
    assert len(_officer_changes()) >= 8


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), _officer_changes())
@pytest.mark.parametrize("authorization", [None, "Bearer gddt_not-a-token"])
def test_an_unauthenticated_change_on_an_officer_endpoint_is_a_401(method, path, authorization):
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": authorization} if authorization else {}
    response = getattr(client, method)(path, "{}", content_type="application/json", headers=headers)
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "unauthenticated"
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_signed_in_officer_session_without_the_csrf_token_is_refused(hanoi_verifier, adult_dossier):
    client = officer_client(hanoi_verifier)
    client.handler.enforce_csrf_checks = True
    body = {"note": "x", "reason_code": "other"}
    refused = client.post(url(adult_dossier, "/reject"), body, content_type="application/json")
    assert refused.status_code == 403
    adult_dossier.refresh_from_db()
    assert adult_dossier.status == "submitted"
    client.cookies["csrftoken"] = "c" * 32
    accepted = client.post(
        url(adult_dossier, "/reject"), body, content_type="application/json", headers={"X-CSRFToken": "c" * 32}
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "rejected"


def test_a_session_that_has_not_passed_the_second_factor_is_unauthenticated(hanoi_verifier):
    client = officer_client(hanoi_verifier, verified=False)
    client.handler.enforce_csrf_checks = True
    response = client.post(f"{BASE}/search", {"q": "0912345678"}, content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("suffix", "method", "body", "field"),
    [
        ("/search", "post", {"q": "0912345678", "qq": "x"}, "qq"),
        ("/{no}/reject", "post", {"reason_code": "other", "note": "x", "reason": "typo"}, "reason"),
        ("/{no}/reopen", "post", {"note": "x", "notes": "y"}, "notes"),
        ("/{no}", "patch", {"changes": {"full_name": "Lê Văn A"}, "reason": "x", "version": 3}, "version"),
    ],
)
def test_an_unknown_field_is_refused_with_a_422_naming_it(hanoi_verifier, adult_dossier, suffix, method, body, field):
    path = BASE + suffix.format(no=url(adult_dossier)[len(BASE) + 1 :])
    response = getattr(OfficerApi(hanoi_verifier), method)(path, body)
    assert response.status_code == 422, response.content
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, "unknown_field")]
    adult_dossier.refresh_from_db()
    assert adult_dossier.status == "submitted" and adult_dossier.full_name != "Lê Văn A"
