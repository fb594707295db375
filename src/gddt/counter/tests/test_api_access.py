"""Who reaches what (rule 5): no token is a 401 everywhere; an officer without a role gets 403 or 404 everywhere
and leaves nothing behind; a director reaches only their subtree and may not act as a verifier."""

import pytest

from gddt.accounts.auth import api_token_create
from gddt.accounts.models import ApiToken
from gddt.audit.models import AuditEvent
from gddt.counter.api import router as counter_router
from gddt.counter.tests.apiclient import BASE, OfficerApi, complete, number_of, url
from gddt.notifications.models import SmsMessage
from gddt_testing.factories import jpeg_bytes

API_ROOT = "/api/v1"
# What an endpoint needs besides its path to get past validation to the access check; any other is called with no
# body. Keys are (method, path) as the counter's router declares them.
BODIES = {
    ("POST", "/office/dossiers/search"): {"q": "{no}"},
    ("PATCH", "/office/dossiers/{dossier_no}"): {"changes": {"full_name": "Nguyễn Văn Bình"}, "reason": "typo"},
    ("PUT", "/office/dossiers/{dossier_no}/documents/{kind}"): "file",
    ("POST", "/office/dossiers/{dossier_no}/reject"): {"reason_code": "identity_mismatch", "note": ""},
    ("POST", "/office/dossiers/{dossier_no}/reopen"): {"note": "came back"},
}
# The list is called twice: as a look-up and as a browse of the queue.
QUERIES = {("GET", "/office/dossiers"): ["?q={no}", "?status=submitted"]}
# The value of every path parameter other than the dossier number.
PATH_VALUES = {"kind": "portrait"}


def counter_operations() -> list[tuple[str, str]]:
    """Every (method, path) of the counter's API, read from its router: an endpoint added to counter/api.py is in
    these tests without anyone remembering to list it."""
    return [
        (method, path)
        for path, path_view in counter_router.path_operations.items()
        for operation in path_view.operations
        for method in operation.methods
    ]


# (method, path template, body): every endpoint of the counter's API, with its look-up variants.
ENDPOINTS = [
    (method.lower(), path + query, BODIES.get((method, path)))
    for method, path in counter_operations()
    for query in QUERIES.get((method, path), [""])
]
IDS = [f"{method} {path}" for method, path, _ in ENDPOINTS]


def _call(api: OfficerApi, dossier, method: str, path: str, body):
    number = number_of(dossier)
    try:
        path = API_ROOT + path.format(no=number, dossier_no=number, **PATH_VALUES)
    except KeyError as missing:
        pytest.fail(f"{method} {path} takes {missing}: give it a value in PATH_VALUES")
    if body == "file":
        return api.put_file(path, jpeg_bytes(800, 800))
    if isinstance(body, dict):
        body = {key: (value.format(no=number) if isinstance(value, str) else value) for key, value in body.items()}
    if method == "get":
        return api.get(path)
    return getattr(api, method)(path, body)


def test_the_endpoints_are_read_from_the_router_and_every_request_body_names_one():
    operations = set(counter_operations())
    assert {("GET", "/office/dossiers/{dossier_no}"), ("POST", "/office/dossiers/{dossier_no}/approve")} <= operations
    assert set(BODIES) <= operations and set(QUERIES) <= operations
    assert len(ENDPOINTS) == len(operations) + 1  # the list twice, every other endpoint once
    assert all((API_ROOT + path).startswith(BASE) for _method, path, _body in ENDPOINTS)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=IDS)
def test_it_refuses_every_endpoint_without_a_token(adult_dossier, method, path, body):
    response = _call(OfficerApi(), adult_dossier, method, path, body)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("token", ["gddt_not-a-real-token", "garbage", "gddt_" + "x" * 200])
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=IDS)
def test_it_refuses_every_endpoint_with_a_garbage_token(adult_dossier, method, path, body, token):
    assert _call(OfficerApi(token=token), adult_dossier, method, path, body).status_code == 401


def test_it_refuses_an_expired_or_revoked_token(adult_dossier, hanoi_verifier):
    from django.utils import timezone

    token = api_token_create(user=hanoi_verifier)
    ApiToken.objects.filter(user=hanoi_verifier).update(revoked_at=timezone.now())
    assert OfficerApi(token=token).get(url(adult_dossier)).status_code == 401


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=IDS)
def test_an_outsider_gets_403_or_404_from_every_endpoint_and_leaves_no_trace(
    adult_dossier, hanoi_verifier, outsider, method, path, body
):
    complete(adult_dossier, hanoi_verifier, verify=False)  # so that a document exists to be refused
    version = adult_dossier.version
    events = AuditEvent.objects.count()
    sms = SmsMessage.objects.count()
    response = _call(OfficerApi(outsider), adult_dossier, method, path, body)
    assert response.status_code in (403, 404), response.content
    assert response["Content-Type"] == "application/problem+json"
    adult_dossier.refresh_from_db()
    assert adult_dossier.version == version
    assert AuditEvent.objects.count() == events
    assert SmsMessage.objects.count() == sms


def test_a_citizen_account_cannot_use_the_officers_api(adult_dossier):
    from gddt.accounts.models import User, UserKind

    citizen = User.objects.create_user(username="citizen1", password="x-Long-Password-1", kind=UserKind.CITIZEN)
    assert OfficerApi(citizen).get(url(adult_dossier)).status_code == 401


def test_a_director_lists_the_dossiers_of_the_own_subtree_but_not_others(adult_dossier, minor_dossier, hanoi_director):
    api = OfficerApi(hanoi_director)
    assert api.get(url(minor_dossier)).status_code == 404
    listed = api.get(BASE).json()["results"]
    assert [row["dossier_no"] for row in listed] == [number_of(adult_dossier)]


def test_a_director_without_a_counter_role_opens_no_dossier_photo_declaration_or_history(
    adult_dossier, hanoi_verifier, hanoi_director
):
    complete(adult_dossier, hanoi_verifier, verify=False)  # so that the photos exist
    api = OfficerApi(hanoi_director)
    events = AuditEvent.objects.count()
    for suffix in ("", "/documents/portrait", "/declaration.pdf", "/guide.pdf", "/history"):
        response = api.get(url(adult_dossier, suffix))
        assert response.status_code == 403, suffix
        assert response.json()["code"] == "missing_role"
        assert adult_dossier.full_name not in response.content.decode()
    assert AuditEvent.objects.count() == events  # nothing was looked at


def test_a_director_may_not_act_as_a_receiving_or_approving_officer(adult_dossier, hanoi_director):
    api = OfficerApi(hanoi_director)
    for suffix in ("/verify", "/approve"):
        response = api.post(url(adult_dossier, suffix))
        assert response.status_code == 403
        assert response.json()["code"] == "missing_role"
    assert api.put_file(url(adult_dossier, "/documents/portrait"), jpeg_bytes()).status_code == 403
    assert api.get(BASE, {"q": number_of(adult_dossier)}).status_code == 403


def test_a_verifier_may_not_approve_and_an_approver_may_not_verify(adult_dossier, hanoi_verifier, hanoi_approver):
    assert OfficerApi(hanoi_verifier).post(url(adult_dossier, "/approve")).status_code == 403
    assert OfficerApi(hanoi_approver).post(url(adult_dossier, "/verify")).status_code == 403
    assert (
        OfficerApi(hanoi_approver).put_file(url(adult_dossier, "/documents/portrait"), jpeg_bytes()).status_code == 403
    )


def test_the_administrator_sees_every_dossier_but_does_not_act_on_it(adult_dossier, minor_dossier, admin_officer):
    api = OfficerApi(admin_officer)
    assert api.get(url(adult_dossier)).status_code == 200
    assert api.get(url(minor_dossier)).status_code == 200
    assert api.post(url(minor_dossier, "/verify")).status_code == 403


def test_an_unknown_or_mistyped_number_in_a_path_is_a_404(hanoi_verifier, adult_dossier):
    api = OfficerApi(hanoi_verifier)
    mistyped = adult_dossier.number[:-1] + str((int(adult_dossier.number[-1]) + 1) % 10)
    assert api.get(f"{BASE}/{mistyped}").status_code == 404
    assert api.get(f"{BASE}/2699999999").status_code in (404,)
    assert api.get(f"{BASE}/not-a-number").status_code == 404
