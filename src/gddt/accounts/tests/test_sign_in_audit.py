"""Officer sign-ins, failures, lock-outs and second-factor failures are in the append-only audit log, not only in
django-axes' tables; never a password, and a typed username only when it is an officer's."""

import json

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from gddt.accounts.tests.conftest import totp_code
from gddt.audit.models import AuditEvent
from gddt_testing.personas import PERSONA_PASSWORD

SIGN_IN = "/can-bo/dang-nhap/"
CODE = "/can-bo/dang-nhap/ma-xac-thuc/"


def sign_in_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__startswith="sign_in").order_by("id"))


def everything_recorded() -> str:
    return json.dumps(list(AuditEvent.objects.values("actor_username", "target", "detail")), ensure_ascii=False)


def test_a_full_sign_in_is_recorded_with_the_address(client, hanoi_verifier):
    device = TOTPDevice.objects.create(user=hanoi_verifier, name="phone", confirmed=True)
    client.post(SIGN_IN, {"username": "hn.verifier", "password": PERSONA_PASSWORD})
    client.post(CODE, {"code": totp_code(device)})
    events = sign_in_events()
    assert [(e.action, e.actor, e.target) for e in events] == [
        ("sign_in.password", hanoi_verifier, "hn.verifier"),
        ("sign_in", hanoi_verifier, "hn.verifier"),
    ]
    assert all(e.client_ip == "127.0.0.1" and e.office == hanoi_verifier.office for e in events)


def test_a_wrong_password_is_recorded_without_the_password(client, hanoi_verifier):
    client.post(SIGN_IN, {"username": "hn.verifier", "password": "Sai-mat-khau-123"})
    [event] = sign_in_events()
    assert (event.action, event.target, event.actor) == ("sign_in.fail", "hn.verifier", None)
    assert "Sai-mat-khau-123" not in everything_recorded()


def test_an_unknown_username_or_a_citizens_id_is_recorded_only_as_a_keyed_hash(client, citizen):
    for typed in ["nguyen.van.khong.co", "nguyen.van.khong.co", citizen.personal_id]:
        client.post(SIGN_IN, {"username": typed, "password": citizen.password})
    first, second, third = sign_in_events()
    assert all(e.action == "sign_in.fail" and e.actor is None for e in (first, second, third))
    assert first.target == second.target != third.target and first.target.startswith("unknown:")
    recorded = everything_recorded()
    assert "nguyen.van.khong.co" not in recorded and citizen.personal_id not in recorded
    assert citizen.password not in recorded


def test_a_lock_out_is_recorded_and_stays_when_axes_tables_are_emptied(client, hanoi_verifier):
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post(SIGN_IN, {"username": "hn.verifier", "password": "wrong-password"})
    actions = [e.action for e in sign_in_events()]
    assert actions == ["sign_in.fail"] * (settings.AXES_FAILURE_LIMIT - 1) + ["sign_in.locked"] * 2
    AccessAttempt.objects.all().delete()
    AccessFailureLog.objects.all().delete()
    assert AuditEvent.objects.filter(action="sign_in.locked", target="hn.verifier").count() == 2


def test_second_factor_failures_are_recorded(client, hanoi_verifier):
    device = TOTPDevice.objects.create(user=hanoi_verifier, name="phone", confirmed=True)
    client.post(SIGN_IN, {"username": "hn.verifier", "password": PERSONA_PASSWORD})
    wrong = f"{(int(totp_code(device)) + 500_000) % 1_000_000:06d}"
    client.post(CODE, {"code": wrong})
    client.post(CODE, {"code": totp_code(device)})  # too soon after a wrong one: throttled
    failures = list(AuditEvent.objects.filter(action="otp.fail").order_by("id"))
    assert [e.detail for e in failures] == [
        {"step": "sign_in", "reason": "wrong"},
        {"step": "sign_in", "reason": "throttled"},
    ]
    assert all(e.actor == hanoi_verifier for e in failures)
    assert wrong not in everything_recorded()
    assert not AuditEvent.objects.filter(action="sign_in").exists()
