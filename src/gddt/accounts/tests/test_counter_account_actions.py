"""At any office, a receiving or approving officer re-issues a citizen's initial password (a new SMS) and unlocks a
locked account, from the API (and the dossier page, see test_citizen_pages); both audited on the dossier."""

import re

import pytest

from gddt.accounts.auth import api_token_create
from gddt.accounts.models import SignInFailure, User
from gddt.audit.models import AuditEvent
from gddt.notifications.models import SmsMessage
from gddt.registrations.numbers import dossier_number_format

LOGIN = "/api/v1/auth/login"


def url(citizen, action: str) -> str:
    return f"/api/v1/office/dossiers/{dossier_number_format(citizen.dossier.number)}/account/{action}"


def officer_post(client, officer, path: str, **extra):
    return client.post(path, HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=officer)}", **extra)


def login(client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(
        LOGIN, {"username": username, "password": password}, content_type="application/json", REMOTE_ADDR=address
    )


def test_an_officer_of_another_office_reissues_the_password_by_sms(client, citizen, hcm_verifier):
    old_token = login(client, citizen.personal_id, citizen.password).json()["access_token"]
    response = officer_post(client, hcm_verifier, url(citizen, "reissue"))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == citizen.personal_id and body["unlocked"] is False
    [sms] = SmsMessage.objects.filter(template="reissued")
    assert sms.to == citizen.user.phone
    password = re.search(r"VssID \d+: (\S+)\.", sms.text).group(1)
    assert login(client, citizen.personal_id, citizen.password).status_code == 401
    answer = login(client, citizen.personal_id, password)
    assert answer.status_code == 200 and answer.json()["must_change_password"] is True
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {old_token}").status_code == 401
    [event] = AuditEvent.objects.filter(action="account.reissue")
    assert event.actor == hcm_verifier and event.dossier_id == citizen.dossier.pk
    assert citizen.personal_id not in event.target and password not in str(event.detail)


def test_a_retry_with_the_same_key_sends_no_second_sms(client, citizen, hanoi_approver):
    token = api_token_create(user=hanoi_approver)
    for _retry in range(2):
        response = client.post(
            url(citizen, "reissue"), HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY="reissue-1"
        )
        assert response.status_code == 200
    assert SmsMessage.objects.filter(template="reissued").count() == 1


def test_an_officer_unlocks_a_locked_account(client, citizen, hanoi_verifier, settings):
    settings.GDDT_ACCOUNT_FAILURE_LIMIT = 3
    for number in range(3):
        login(client, citizen.personal_id, "wrong-password", f"198.51.100.{number}")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, citizen.personal_id, "wrong-password")
    assert login(client, citizen.personal_id, citizen.password).status_code == 429
    response = officer_post(client, hanoi_verifier, url(citizen, "unlock"))
    assert response.status_code == 200 and response.json() == {"was_locked": True}
    assert not SignInFailure.objects.exists()
    assert login(client, citizen.personal_id, citizen.password).status_code == 200
    assert officer_post(client, hanoi_verifier, url(citizen, "unlock")).json() == {"was_locked": False}
    assert AuditEvent.objects.filter(action="account.unlock", dossier=citizen.dossier).count() == 2


def test_the_reissue_also_unlocks(client, citizen, hanoi_verifier, settings):
    settings.GDDT_ACCOUNT_FAILURE_LIMIT = 1
    login(client, citizen.personal_id, "wrong-password")
    assert officer_post(client, hanoi_verifier, url(citizen, "reissue")).json()["unlocked"] is True


@pytest.mark.parametrize("action", ["reissue", "unlock"])
def test_a_dossier_without_an_active_account_is_a_409(client, adult_dossier, hanoi_verifier, action):
    path = f"/api/v1/office/dossiers/{dossier_number_format(adult_dossier.number)}/account/{action}"
    response = officer_post(client, hanoi_verifier, path)
    assert response.status_code == 409 and response.json()["code"] == "no_account"
    assert not SmsMessage.objects.filter(template="reissued").exists()


@pytest.mark.parametrize("action", ["reissue", "unlock"])
def test_a_disabled_account_is_a_409(client, citizen, hanoi_verifier, action):
    User.objects.filter(pk=citizen.user.pk).update(is_active=False)
    assert officer_post(client, hanoi_verifier, url(citizen, action)).status_code == 409


@pytest.mark.parametrize("action", ["reissue", "unlock"])
def test_a_director_or_an_outsider_is_refused(client, citizen, hanoi_director, outsider, action):
    assert officer_post(client, hanoi_director, url(citizen, action)).status_code in {403, 404}
    assert officer_post(client, outsider, url(citizen, action)).status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="account.").exists()


@pytest.mark.parametrize("action", ["reissue", "unlock"])
def test_a_citizen_token_or_none_is_refused(client, citizen, action):
    token = login(client, citizen.personal_id, citizen.password).json()["access_token"]
    assert client.post(url(citizen, action), HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert client.post(url(citizen, action)).status_code == 401


def test_an_unknown_dossier_number_is_a_404(client, hanoi_verifier):
    response = officer_post(client, hanoi_verifier, "/api/v1/office/dossiers/26-0000000-0/account/reissue")
    assert response.status_code == 404
