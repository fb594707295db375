import re

import pytest
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from gddt.accounts.services import otp_enrolment_code_issue
from gddt.accounts.tests.conftest import totp_code
from gddt.audit.models import AuditEvent
from gddt_testing.personas import PERSONA_PASSWORD

SIGN_IN = "/can-bo/dang-nhap/"
CODE = "/can-bo/dang-nhap/ma-xac-thuc/"
ENROL = "/can-bo/dang-nhap/cai-dat-xac-thuc/"
STAFF = "/can-bo/nhan-su/"


def password_step(client, username: str, password: str = PERSONA_PASSWORD, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password, **extra})


def test_the_sign_in_url_is_the_login_url():
    assert settings.LOGIN_URL == SIGN_IN


def enrolment_code_step(client, officer) -> None:
    """What the officer does at the first sign-in after the password: type the code a director handed over."""
    code = otp_enrolment_code_issue(officer=officer).code
    response = client.post(ENROL, {"enrolment_code": code})
    assert response.status_code == 302 and response["Location"] == ENROL


def test_the_first_sign_in_enrols_an_authenticator_from_a_qr_code_then_signs_in(client, hanoi_director):
    response = password_step(client, "hn.director")
    assert response.status_code == 302 and response["Location"] == CODE
    response = client.get(CODE)
    assert response.status_code == 302 and response["Location"] == ENROL
    enrolment_code_step(client, hanoi_director)

    page = client.get(ENROL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html  # the QR code, allowed by the CSP (img-src data:)
    device = TOTPDevice.objects.get(user=hanoi_director, confirmed=False)
    secret = re.search(r'class="secret mono"[^>]*>([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    import base64

    assert base64.b32decode(secret) == device.bin_key
    assert "<script>" not in html and 'style="' not in html

    # Before the second factor: no officer page, no API through the session.
    assert client.get(STAFF)["Location"].startswith(CODE)
    assert client.get("/api/v1/office/staff").status_code == 401

    response = client.post(ENROL, {"code": totp_code(device)})
    assert response.status_code == 302 and response["Location"] == "/can-bo/"
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="otp.enrol", actor=hanoi_director).exists()
    assert client.get(STAFF).status_code == 200
    assert client.get("/api/v1/office/staff").status_code == 200


def test_a_wrong_code_at_enrolment_is_refused_and_the_device_stays_unconfirmed(client, hanoi_verifier):
    password_step(client, "hn.verifier")
    enrolment_code_step(client, hanoi_verifier)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=hanoi_verifier)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(ENROL, {"code": wrong})
    assert response.status_code == 200
    assert "6-digit code" in response.content.decode() or "6 chữ số" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(STAFF).status_code == 302


def test_a_later_sign_in_asks_for_the_code_and_refuses_a_wrong_one(client, hanoi_director):
    device = TOTPDevice.objects.create(user=hanoi_director, name="phone", confirmed=True)
    password_step(client, "hn.director", next=STAFF)
    page = client.get(CODE)
    assert page.status_code == 200 and "ma-xac-thuc" in page.content.decode()

    wrong = f"{(int(totp_code(device)) + 500_000) % 1_000_000:06d}"
    response = client.post(CODE, {"code": wrong})
    assert response.status_code == 200
    assert response.content.decode().count('class="error"') == 1
    assert client.get(STAFF).status_code == 302

    device.refresh_from_db()
    device.throttle_reset()  # wrong codes make the next try wait (1 s, 2 s, 4 s...): skip that wait here
    response = client.post(CODE, {"code": totp_code(device, steps_ahead=1)})
    assert response.status_code == 302 and response["Location"] == STAFF  # back where the officer was going
    assert client.get(STAFF).status_code == 200


def test_repeated_wrong_codes_make_the_officer_wait(client, hanoi_verifier):
    device = TOTPDevice.objects.create(user=hanoi_verifier, name="phone", confirmed=True)
    password_step(client, "hn.verifier")
    wrong = f"{(int(totp_code(device)) + 500_000) % 1_000_000:06d}"
    client.post(CODE, {"code": wrong})
    response = client.post(CODE, {"code": totp_code(device)})  # right, but too soon after a wrong one
    assert response.status_code == 429
    assert client.get(STAFF).status_code == 302


def test_a_wrong_password_gets_one_message_for_a_wrong_username_too(client, hanoi_verifier):
    for username, password in [("hn.verifier", "not-the-password"), ("nobody.here", PERSONA_PASSWORD)]:
        response = password_step(client, username, password)
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    wrong_password = password_step(client, "hn.verifier", "not-the-password").content.decode()
    wrong_username = password_step(client, "nobody.here", "not-the-password").content.decode()
    message = re.compile(r'<div class="alert" role="alert"><p>(.*?)</p>')
    assert message.search(wrong_password).group(1) == message.search(wrong_username).group(1)


def test_a_citizen_cannot_sign_in_here(client, citizen):
    response = password_step(client, citizen.personal_id, citizen.password)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_username_out_with_a_clear_vietnamese_message(client, hanoi_verifier):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert password_step(client, "hn.verifier", "wrong-password").status_code == 200
    response = password_step(client, "hn.verifier", "wrong-password")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert "Đăng nhập tạm thời bị khoá" in response.content.decode()
    # Even the right password is refused while the lock lasts.
    response = password_step(client, "hn.verifier")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_out_message_is_in_english_on_request(client, hanoi_verifier):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = password_step(client, "hn.verifier", "wrong-password", HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(SIGN_IN, {"username": "hn.verifier", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "Sign-in is locked for a while." in response.content.decode()


def test_an_officer_who_has_not_passed_the_second_factor_reaches_no_officer_page(client, hanoi_director):
    TOTPDevice.objects.create(user=hanoi_director, name="phone", confirmed=True)
    password_step(client, "hn.director")
    response = client.get(STAFF)
    assert response.status_code == 302 and response["Location"].startswith(CODE)
    assert client.get("/api/v1/office/staff").status_code == 401


def test_someone_not_signed_in_is_sent_to_the_sign_in_page(client):
    response = client.get(STAFF)
    assert response.status_code == 302 and response["Location"] == f"{SIGN_IN}?next=/can-bo/nhan-su/"


def test_the_sign_in_ignores_a_next_address_on_another_site(client, hanoi_director, verified_client):
    TOTPDevice.objects.create(user=hanoi_director, name="phone", confirmed=True)
    password_step(client, "hn.director", next="https://evil.example/")
    device = TOTPDevice.objects.get(user=hanoi_director)
    response = client.post(CODE, {"code": totp_code(device)})
    assert response["Location"] == "/can-bo/"


def test_sign_out_ends_the_session(hanoi_director, verified_client):
    client = verified_client(hanoi_director)
    assert client.get(STAFF).status_code == 200
    response = client.post("/can-bo/dang-xuat/")
    assert response.status_code == 302 and response["Location"] == SIGN_IN
    assert client.get(STAFF).status_code == 302


def test_the_session_expires_after_idle_time_and_is_renewed_by_every_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


@pytest.mark.parametrize("path", [SIGN_IN, CODE, ENROL])
def test_sign_in_pages_are_never_cached(client, hanoi_verifier, path):
    password_step(client, "hn.verifier")
    response = client.get(path, follow=True)
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
