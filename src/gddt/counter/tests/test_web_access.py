"""Who may open the counter pages: signed-in officers past the second factor, with a role; everyone else is sent
to sign in (no session, no second factor) or refused (403/404)."""

import pytest
from django.conf import settings
from django.urls import URLResolver, get_resolver

from gddt.counter.tests.test_web_support import HOME, number_of, officer_client, page_url, photo

pytestmark = pytest.mark.django_db

# The value of every path parameter of the counter's pages other than the dossier number.
PATH_VALUES = {"kind": "portrait"}
METHODS = ("GET", "POST")


def counter_routes() -> list[tuple[str, tuple[str, ...]]]:
    """Every page of the counter as (URL name, path parameters), read from the URL patterns: a page added to
    counter/urls.py is in these tests without anyone remembering to list it."""
    routes = []

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace)
            elif namespace == "counter":
                routes.append((entry.name, tuple(entry.pattern.converters)))

    walk(get_resolver().url_patterns, None)
    return routes


ROUTES = counter_routes()
ROUTE_IDS = [name for name, _params in ROUTES]


def _kwargs(name: str, params: tuple[str, ...]) -> dict[str, str]:
    unknown = [param for param in params if param != "dossier_no" and param not in PATH_VALUES]
    if unknown:
        pytest.fail(f"the page {name!r} takes {unknown}: give them a value in PATH_VALUES")
    return {param: PATH_VALUES[param] for param in params if param != "dossier_no"}


def _request(client, method, name, params, dossier):
    url = HOME if name == "home" else page_url(dossier, name, **_kwargs(name, params))
    if method == "GET":
        return client.get(url)
    data = (
        {"q": dossier.personal_id}
        if name == "home"
        else {
            "file": photo(),
            "reason_code": "other",
            "note": "x",
            "reason": "x",
            "full_name": "Nguyễn Văn Bình",
            "version": dossier.version,
        }
    )
    return client.post(url, data)


def test_the_routes_are_read_from_the_url_patterns():
    names = set(ROUTE_IDS)
    assert {"home", "dossier", "document", "supplement", "verify", "approve", "declaration"} <= names
    assert len(names) == len(ROUTES)  # every page has a name of its own


@pytest.mark.parametrize(("name", "params"), ROUTES, ids=ROUTE_IDS)
def test_an_outsider_is_refused_on_every_page(outsider, adult_dossier, name, params):
    """GET and POST on every page: refused (403/404), or the method does not exist there (405); never served."""
    before = adult_dossier.version
    client = officer_client(outsider)
    statuses = {method: _request(client, method, name, params, adult_dossier).status_code for method in METHODS}
    assert set(statuses.values()) <= {403, 404, 405}, statuses
    assert {403, 404} & set(statuses.values()), statuses  # the page exists for one of the methods and refuses
    adult_dossier.refresh_from_db()
    assert adult_dossier.version == before and adult_dossier.status == "submitted"


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("name", "params"), ROUTES, ids=ROUTE_IDS)
def test_an_officer_without_the_second_factor_is_sent_to_sign_in(hcm_verifier, adult_dossier, name, params, method):
    response = _request(officer_client(hcm_verifier, verified=False), method, name, params, adult_dossier)
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)
    assert adult_dossier.personal_id not in response["Location"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("name", "params"), ROUTES, ids=ROUTE_IDS)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, adult_dossier, name, params, method):
    response = _request(client, method, name, params, adult_dossier)
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)


def test_a_director_does_not_reach_a_dossier_outside_the_subtree(hanoi_director, minor_dossier):
    response = officer_client(hanoi_director).get(page_url(minor_dossier))
    assert response.status_code == 404
    assert minor_dossier.full_name not in response.content.decode()


@pytest.mark.parametrize(
    ("name", "kwargs"), [("dossier", {}), ("document", {"kind": "portrait"}), ("declaration", {}), ("guide", {})]
)
def test_a_director_without_a_counter_role_opens_no_dossier_photo_or_declaration(
    hanoi_director, adult_dossier, name, kwargs
):
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
