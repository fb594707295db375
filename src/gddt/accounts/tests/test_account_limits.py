"""Limits that hold against spread-out guessing: the per-address lock-out (django-axes) and a per-account limit in a
sliding window, whatever addresses the failures come from; every sign-in, failure and lock is audited."""

from datetime import timedelta

from django.utils import timezone

from gddt.accounts.models import SignInFailure
from gddt.audit.models import AuditEvent

LOGIN = "/api/v1/auth/login"


def login(client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(
        LOGIN, {"username": username, "password": password}, content_type="application/json", REMOTE_ADDR=address
    )


def test_failures_from_many_addresses_lock_the_account(client, citizen, settings):
    settings.GDDT_ACCOUNT_FAILURE_LIMIT = 6
    for number in range(6):  # one failure per address: django-axes alone would never lock
        assert login(client, citizen.personal_id, "wrong-password", f"198.51.100.{number}").status_code == 401
    response = login(client, citizen.personal_id, citizen.password, "203.0.113.9")
    assert response.status_code == 429 and response.json()["code"] == "sign_in_locked"
    assert login(client, citizen.bhxh_code, citizen.password, "203.0.113.10").status_code == 429


def test_the_window_slides(client, citizen, settings):
    settings.GDDT_ACCOUNT_FAILURE_LIMIT = 3
    settings.GDDT_ACCOUNT_FAILURE_WINDOW_MINUTES = 60
    for number in range(3):
        login(client, citizen.personal_id, "wrong-password", f"198.51.100.{number}")
    assert login(client, citizen.personal_id, citizen.password, "203.0.113.9").status_code == 429
    oldest = SignInFailure.objects.order_by("at").first()
    SignInFailure.objects.filter(pk=oldest.pk).update(at=timezone.now() - timedelta(minutes=61))
    assert login(client, citizen.personal_id, citizen.password, "203.0.113.9").status_code == 200


def test_a_success_does_not_wipe_the_account_count(client, citizen, settings):
    settings.GDDT_ACCOUNT_FAILURE_LIMIT = 3
    for number in range(2):
        login(client, citizen.personal_id, "wrong-password", f"198.51.100.{number}")
    assert login(client, citizen.personal_id, citizen.password).status_code == 200
    login(client, citizen.personal_id, "wrong-password", "198.51.100.9")
    assert login(client, citizen.personal_id, citizen.password).status_code == 429


def test_unknown_usernames_lock_nobody(client, citizen, settings):
    settings.GDDT_ACCOUNT_FAILURE_LIMIT = 2
    for number in range(3):
        assert login(client, "001099000000", "wrong-password", f"198.51.100.{number}").status_code == 401
    assert not SignInFailure.objects.exists()
    assert login(client, citizen.personal_id, citizen.password).status_code == 200


def test_every_sign_in_failure_and_lock_is_audited_with_the_username_hashed(client, citizen, settings):
    settings.GDDT_ACCOUNT_FAILURE_LIMIT = 2
    assert login(client, citizen.personal_id, citizen.password).status_code == 200
    login(client, citizen.personal_id, "wrong-password", "198.51.100.1")
    login(client, citizen.bhxh_code, "wrong-password", "198.51.100.2")
    login(client, citizen.personal_id, citizen.password, "198.51.100.3")
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["sign_in", "sign_in.fail", "sign_in.fail", "sign_in.locked", "sign_in.locked"]
    events = AuditEvent.objects.all()
    assert len({e.target for e in events}) == 1 and events[0].target.startswith("citizen:")
    for event in events:
        text = f"{event.target} {event.detail} {event.actor_username}"
        assert citizen.personal_id not in text and citizen.bhxh_code not in text and "wrong-password" not in text


def test_an_unknown_username_costs_one_password_hash_as_a_wrong_password_does(client, citizen):
    """About the same time for both: Django's backend hashes the typed password for an unknown username too. Counted,
    not timed: each answer computes exactly one Argon2 hash."""
    from unittest import mock

    from django.contrib.auth.hashers import Argon2PasswordHasher

    calls = []
    real_encode, real_verify = Argon2PasswordHasher.encode, Argon2PasswordHasher.verify

    def encode(self, *args, **kwargs):
        calls.append("encode")
        return real_encode(self, *args, **kwargs)

    def verify(self, *args, **kwargs):
        calls.append("verify")
        return real_verify(self, *args, **kwargs)

    with (
        mock.patch.object(Argon2PasswordHasher, "encode", encode),
        mock.patch.object(Argon2PasswordHasher, "verify", verify),
    ):
        assert login(client, citizen.personal_id, "wrong-password").status_code == 401
        wrong_password = len(calls)
        calls.clear()
        assert login(client, "001099000000", "wrong-password").status_code == 401
        unknown = len(calls)
    assert wrong_password == unknown == 1
