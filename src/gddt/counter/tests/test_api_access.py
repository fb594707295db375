"""Who reaches what (rule 5): no token is a 401 everywhere; an officer without a role gets 403 or 404 everywhere
and leaves nothing behind; a director reaches only their subtree and may not act as a verifier."""

import pytest

from gddt.accounts.auth import api_token_create
from gddt.accounts.models import ApiToken
from gddt.audit.models import AuditEvent
from gddt.counter.tests.apiclient import BASE, OfficerApi, complete, number_of, url
from gddt.notifications.models import SmsMessage
from gddt_testing.factories import jpeg_bytes

# (method, path template, body): every endpoint of the counter's API.
ENDPOINTS = [
    ("get", BASE + "?q={no}", None),
    ("get", BASE + "?status=submitted", None),
    ("post", BASE + "/search", {"q": "{no}"}),
    ("get", "{url}", None),
    ("patch", "{url}", {"changes": {"full_name": "Nguyễn Văn Bình"}, "reason": "typo"}),
    ("put", "{url}/documents/portrait", "file"),
    ("get", "{url}/documents/id_front", None),
    ("post", "{url}/verify", {}),
    ("post", "{url}/approve", {}),
    ("post", "{url}/reject", {"reason_code": "identity_mismatch", "note": ""}),
    ("post", "{url}/reopen", {"note": "came back"}),
    ("get", "{url}/declaration.pdf", None),
    ("get", "{url}/guide.pdf", None),
    ("get", "{url}/history", None),
]
IDS = [f"{method} {path}" for method, path, _ in ENDPOINTS]


def _call(api: OfficerApi, dossier, method: str, path: str, body):
    path = path.format(no=number_of(dossier), url=url(dossier))
    if body == "file":
        return api.put_file(path, jpeg_bytes(800, 800))
    if isinstance(body, dict):
        body = {key: (value.format(no=number_of(dossier)) if isinstance(value, str) else value)
                for key, value in body.items()}
    if method == "get":
        return api.get(path)
    return getattr(api, method)(path, body)


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
def test_an_outsider_gets_403_or_404_from_every_endpoint_and_leaves_no_trace(adult_dossier, hanoi_verifier,
                                                                              outsider, method, path, body):
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


def test_a_director_lists_the_dossiers_of_the_own_subtree_but_not_others(adult_dossier, minor_dossier,
                                                                         hanoi_director):
    api = OfficerApi(hanoi_director)
    assert api.get(url(minor_dossier)).status_code == 404
    listed = api.get(BASE).json()["results"]
    assert [row["dossier_no"] for row in listed] == [number_of(adult_dossier)]


def test_a_director_without_a_counter_role_opens_no_dossier_photo_declaration_or_history(adult_dossier,
                                                                                         hanoi_verifier,
                                                                                         hanoi_director):
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
    assert OfficerApi(hanoi_approver).put_file(url(adult_dossier, "/documents/portrait"),
                                               jpeg_bytes()).status_code == 403


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
