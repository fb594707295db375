from datetime import timedelta

import pytest
from django.utils import timezone

from gddt.accounts.auth import api_token_create
from gddt.accounts.models import ApiToken

STAFF = "/api/v1/office/staff"


def get(client, token: str):
    return client.get(STAFF, HTTP_AUTHORIZATION=f"Bearer {token}")


def assert_unauthenticated(response):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["code"] == "unauthenticated"


def test_a_valid_token_authenticates_the_officer(client, hanoi_director):
    assert get(client, api_token_create(user=hanoi_director)).status_code == 200
    assert ApiToken.objects.get(user=hanoi_director).last_used_at is not None


def test_an_expired_token_gets_401(client, hanoi_director):
    token = api_token_create(user=hanoi_director)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_unauthenticated(get(client, token))


def test_a_revoked_token_gets_401(client, hanoi_director):
    token = api_token_create(user=hanoi_director)
    ApiToken.objects.update(revoked_at=timezone.now())
    assert_unauthenticated(get(client, token))


@pytest.mark.parametrize("token", ["", "garbage", "gddt_" + "x" * 43, "gddt_" + "y" * 200, "Basic abc"])
def test_a_garbage_token_gets_401(client, hanoi_director, token):
    api_token_create(user=hanoi_director)
    assert_unauthenticated(get(client, token))


def test_no_token_at_all_gets_401(client, hanoi_director):
    assert_unauthenticated(client.get(STAFF))


def test_the_token_of_a_disabled_officer_gets_401(client, hanoi_director):
    token = api_token_create(user=hanoi_director)
    hanoi_director.is_active = False
    hanoi_director.save()
    assert_unauthenticated(get(client, token))
