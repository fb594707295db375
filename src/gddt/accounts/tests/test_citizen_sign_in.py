import pytest
from django.conf import settings

from gddt.accounts.auth import api_token_create
from gddt.accounts.models import ApiToken, TokenAudience
from gddt.registrations.numbers import dossier_number_format
from gddt_testing.personas import PERSONA_PASSWORD

LOGIN = "/api/v1/auth/login"
PASSWORD = "/api/v1/auth/password"
ME = "/api/v1/me"
NEW_PASSWORD = "Mat-khau-moi-cua-toi-2026"


def login(client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, content_type="application/json", **extra)


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_citizen_signs_in_with_the_personal_id_and_must_change_the_password(client, citizen):
    response = login(client, citizen.personal_id, citizen.password)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "must_change_password"}
    assert body["must_change_password"] is True
    assert ApiToken.objects.get(user=citizen.user).audience == TokenAudience.CITIZEN
    assert "sessionid" not in response.cookies  # a token, not a session


def test_a_citizen_signs_in_with_the_insurance_number_too(client, citizen):
    response = login(client, citizen.bhxh_code, citizen.password)
    assert response.status_code == 200
    me = client.get(ME, **bearer(response.json()["access_token"])).json()
    assert me["username"] == citizen.personal_id


def test_a_wrong_password_and_a_wrong_username_get_the_same_401(client, citizen):
    wrong_password = login(client, citizen.personal_id, "not-the-password")
    wrong_username = login(client, "001099000000", citizen.password)
    assert wrong_password.status_code == wrong_username.status_code == 401
    assert wrong_password["Content-Type"] == "application/problem+json"
    assert wrong_password.json() == wrong_username.json()
    assert not ApiToken.objects.exists()


def test_an_officer_cannot_sign_in_as_a_citizen(client, hanoi_verifier):
    response = login(client, "hn.verifier", PERSONA_PASSWORD)
    assert response.status_code == 401
    assert not ApiToken.objects.exists()


def test_repeated_failures_lock_the_citizen_out(client, citizen):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, citizen.personal_id, "not-the-password").status_code == 401
    response = login(client, citizen.personal_id, "not-the-password")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "sign_in_locked"
    assert login(client, citizen.personal_id, citizen.password).status_code == 429  # even the right one
    # The insurance number leads to the same account, so it is locked too.
    assert login(client, citizen.bhxh_code, citizen.password).status_code == 429


def test_a_success_forgets_the_earlier_failures(client, citizen):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, citizen.personal_id, "not-the-password")
    assert login(client, citizen.personal_id, citizen.password).status_code == 200
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, citizen.personal_id, "not-the-password").status_code == 401


def test_me_shows_the_account_with_a_masked_phone_and_the_dossier(client, citizen):
    token = login(client, citizen.personal_id, citizen.password).json()["access_token"]
    response = client.get(ME, **bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == citizen.personal_id
    assert body["full_name"] == "Nguyễn Văn An"
    assert body["phone"].endswith(citizen.user.phone[-3:]) and citizen.user.phone not in body["phone"]
    assert body["must_change_password"] is True
    assert body["dossier"] == {"dossier_no": dossier_number_format(citizen.dossier.number), "status": "approved"}


def test_the_password_change_clears_must_change_password(client, citizen):
    token = login(client, citizen.personal_id, citizen.password).json()["access_token"]
    other = login(client, citizen.personal_id, citizen.password).json()["access_token"]
    response = client.post(
        PASSWORD,
        {"old_password": citizen.password, "new_password": NEW_PASSWORD},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 200
    assert response.json() == {"must_change_password": False}
    citizen.user.refresh_from_db()
    assert citizen.user.check_password(NEW_PASSWORD) and not citizen.user.must_change_password
    assert client.get(ME, **bearer(token)).json()["must_change_password"] is False
    assert client.get(ME, **bearer(other)).status_code == 401  # other sign-ins end with the old password
    assert login(client, citizen.personal_id, citizen.password).status_code == 401
    assert login(client, citizen.bhxh_code, NEW_PASSWORD).json()["must_change_password"] is False


@pytest.mark.parametrize("new_password", ["short", "1234567890123", "password123"])
def test_a_weak_new_password_is_refused_naming_the_field(client, citizen, new_password):
    token = login(client, citizen.personal_id, citizen.password).json()["access_token"]
    response = client.post(
        PASSWORD,
        {"old_password": citizen.password, "new_password": new_password},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"new_password"}
    citizen.user.refresh_from_db()
    assert citizen.user.must_change_password


def test_a_wrong_old_password_is_refused(client, citizen):
    token = login(client, citizen.personal_id, citizen.password).json()["access_token"]
    response = client.post(
        PASSWORD,
        {"old_password": "nope", "new_password": NEW_PASSWORD},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "old_password"


def test_the_password_change_needs_a_citizen_token(client, citizen):
    response = client.post(
        PASSWORD, {"old_password": citizen.password, "new_password": NEW_PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 401


def test_a_citizen_token_is_never_accepted_by_officer_endpoints(client, citizen, hanoi_director):
    token = login(client, citizen.personal_id, citizen.password).json()["access_token"]
    response = client.get("/api/v1/office/staff", **bearer(token))
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    response = client.put(
        "/api/v1/office/staff/hn.director/roles",
        {"office_code": "01", "roles": []},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 401


def test_an_officer_token_is_not_accepted_by_me(client, hanoi_director):
    response = client.get(ME, **bearer(api_token_create(user=hanoi_director)))
    assert response.status_code == 401
    assert client.get(ME).status_code == 401


def test_a_citizen_token_of_a_disabled_account_stops_working(client, citizen):
    token = login(client, citizen.personal_id, citizen.password).json()["access_token"]
    citizen.user.is_active = False
    citizen.user.save()
    assert client.get(ME, **bearer(token)).status_code == 401


def test_login_errors_name_the_missing_field(client):
    response = client.post(LOGIN, {"username": "001090012345"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "password"
