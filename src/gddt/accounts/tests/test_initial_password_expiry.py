"""The SMS password expires after GDDT_INITIAL_PASSWORD_HOURS unless it was changed."""

from datetime import timedelta

from django.utils import timezone

from gddt.accounts.models import User
from gddt.audit.models import AuditEvent

LOGIN = "/api/v1/auth/login"


def login(client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password}, content_type="application/json")


def test_the_initial_password_expires_after_the_setting(citizen, settings):
    assert settings.GDDT_INITIAL_PASSWORD_HOURS == 72
    user = User.objects.get(pk=citizen.user.pk)
    left = user.initial_password_expires_at - timezone.now()
    assert timedelta(hours=71, minutes=59) < left <= timedelta(hours=72)


def test_an_expired_initial_password_is_refused_with_its_own_code(client, citizen):
    User.objects.filter(pk=citizen.user.pk).update(initial_password_expires_at=timezone.now() - timedelta(seconds=1))
    response = login(client, citizen.personal_id, citizen.password)
    assert response.status_code == 401
    assert response.json()["code"] == "initial_password_expired"
    assert AuditEvent.objects.filter(action="sign_in.fail", detail__reason="initial_expired").count() == 1


def test_a_wrong_password_of_an_expired_account_gets_the_usual_answer(client, citizen):
    User.objects.filter(pk=citizen.user.pk).update(initial_password_expires_at=timezone.now() - timedelta(seconds=1))
    assert login(client, citizen.personal_id, "not-the-password").json()["code"] == "invalid_credentials"


def test_a_changed_password_never_expires(client, citizen):
    token = login(client, citizen.personal_id, citizen.password).json()["access_token"]
    client.post(
        "/api/v1/auth/password",
        {"old_password": citizen.password, "new_password": "Mat-khau-moi-2026"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    user = User.objects.get(pk=citizen.user.pk)
    assert user.initial_password_expires_at is None
    user.date_joined = timezone.now() - timedelta(days=365)
    user.save()
    assert login(client, citizen.personal_id, "Mat-khau-moi-2026").status_code == 200
