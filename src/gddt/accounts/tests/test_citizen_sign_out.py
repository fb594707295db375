"""Sign-out: this token, or every token and session of the account; short-lived tokens."""

from datetime import timedelta

from django.contrib.auth import get_user
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from gddt.accounts.models import ApiToken
from gddt.audit.models import AuditEvent

LOGIN = "/api/v1/auth/login"
ME = "/api/v1/me"


def token_of(client, citizen) -> str:
    response = client.post(
        LOGIN, {"username": citizen.personal_id, "password": citizen.password}, content_type="application/json"
    )
    return response.json()["access_token"]


def session_user(browser: Client):
    """Who the web session of `browser` is signed in as, as Django's middleware sees it at the next request."""
    request = HttpRequest()
    request.session = browser.session
    return get_user(request)


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_logout_ends_this_token_only_and_at_once(client, citizen):
    this, other = token_of(client, citizen), token_of(client, citizen)
    response = client.post("/api/v1/auth/logout", **bearer(this))
    assert response.status_code == 200 and response.json() == {"signed_out": True}
    assert client.get(ME, **bearer(this)).status_code == 401
    assert client.get(ME, **bearer(other)).status_code == 200


def test_logout_all_ends_every_token_and_every_web_session(client, citizen):
    this, other = token_of(client, citizen), token_of(client, citizen)
    browser = Client()
    browser.force_login(citizen.user)
    assert session_user(browser).pk == citizen.user.pk
    response = client.post("/api/v1/auth/logout-all", **bearer(this))
    assert response.status_code == 200
    assert client.get(ME, **bearer(this)).status_code == 401
    assert client.get(ME, **bearer(other)).status_code == 401
    assert not session_user(browser).is_authenticated  # the web session ended too
    assert AuditEvent.objects.filter(action="sign_out.all").count() == 1


def test_a_signed_out_token_cannot_sign_out_again(client, citizen):
    token = token_of(client, citizen)
    client.post("/api/v1/auth/logout-all", **bearer(token))
    assert client.post("/api/v1/auth/logout-all", **bearer(token)).status_code == 401
    assert client.post("/api/v1/auth/logout", **bearer(token)).status_code == 401


def test_the_citizen_token_is_short_lived(client, citizen, settings):
    settings.GDDT_ACCESS_TOKEN_SECONDS = 3600
    token = token_of(client, citizen)
    row = ApiToken.objects.get(user=citizen.user)
    assert row.expires_at - row.created_at == timedelta(hours=1)
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(ME, **bearer(token)).status_code == 401
    assert client.get(ME, **bearer(token_of(client, citizen))).status_code == 200  # sign in again


def test_sign_out_needs_a_citizen_token(client, citizen):
    assert client.post("/api/v1/auth/logout").status_code == 401
    assert client.post("/api/v1/auth/logout-all", **bearer("gddtc_not-a-token")).status_code == 401
