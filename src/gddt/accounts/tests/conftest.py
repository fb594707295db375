import time
from dataclasses import dataclass

import pytest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from gddt.accounts.models import User
from gddt.accounts.services import citizen_account_activate
from gddt.registrations.models import Dossier, Status
from gddt.registrations.services import registration_submit
from gddt_testing.factories import adult_data, bhxh_code_new


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the officer's authenticator app shows (steps_ahead > 0: a later one, never used yet)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def verified_client(client):
    """A test client signed in as `user` with both factors (as after the web sign-in)."""

    def sign_in(user: User):
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return sign_in


@dataclass
class Citizen:
    user: User
    password: str
    dossier: Dossier
    personal_id: str
    bhxh_code: str


@pytest.fixture
def citizen(db) -> Citizen:
    """An approved adult with an insurance number, whose account was just activated (must change password)."""
    bhxh_code = bhxh_code_new()
    submitted = registration_submit(data=adult_data(bhxh_code=bhxh_code), files={})
    dossier = Dossier.objects.get(pk=submitted.dossier_id)
    user, password = citizen_account_activate(dossier=dossier)
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.APPROVED, account=user, approved_at=timezone.now())
    dossier.refresh_from_db()
    return Citizen(
        user=user, password=password, dossier=dossier, personal_id=dossier.personal_id or "", bhxh_code=bhxh_code
    )
