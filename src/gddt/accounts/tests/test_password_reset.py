"""Forgot password: a 6-digit code by SMS to the phone on record, then the code and a new password."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from gddt.accounts.models import ApiToken, PasswordResetCode
from gddt.audit.models import AuditEvent
from gddt.notifications.models import SmsMessage

RESET = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"
LOGIN = "/api/v1/auth/login"
ME = "/api/v1/me"
NEW_PASSWORD = "Mat-khau-moi-cua-toi-2026"


def reset(client, username: str, phone: str, **extra):
    return client.post(RESET, {"username": username, "phone": phone}, content_type="application/json", **extra)


def confirm(client, username: str, code: str, new_password: str = NEW_PASSWORD, **extra):
    return client.post(
        CONFIRM,
        {"username": username, "code": code, "new_password": new_password},
        content_type="application/json",
        **extra,
    )


def login(client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password}, content_type="application/json")


def sent_codes(phone: str) -> list[str]:
    texts = SmsMessage.objects.filter(to=phone, template="password_reset").order_by("id").values_list("text", flat=True)
    return [re.search(r"\b(\d{6})\b", text).group(1) for text in texts]


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_the_code_goes_by_sms_to_the_phone_on_record_and_sets_a_new_password(client, citizen):
    response = reset(client, citizen.personal_id, citizen.user.phone)
    assert response.status_code == 202
    [code] = sent_codes(citizen.user.phone)
    assert not PasswordResetCode.objects.filter(code_hash__contains=code).exists()  # only a keyed hash is kept
    answer = confirm(client, citizen.personal_id, code)
    assert answer.status_code == 200 and answer.json() == {"must_change_password": False}
    assert login(client, citizen.personal_id, citizen.password).status_code == 401
    assert login(client, citizen.personal_id, NEW_PASSWORD).json()["must_change_password"] is False


def test_the_insurance_number_and_a_phone_in_international_form_work_too(client, citizen):
    assert reset(client, citizen.bhxh_code, "+84" + citizen.user.phone[1:]).status_code == 202
    [code] = sent_codes(citizen.user.phone)
    assert confirm(client, citizen.bhxh_code, code).status_code == 200


def test_the_answer_is_the_same_whatever_the_username_or_phone(client, citizen):
    right = reset(client, citizen.personal_id, citizen.user.phone)
    wrong_phone = reset(client, citizen.personal_id, "0987654321")
    unknown = reset(client, "001099000000", citizen.user.phone)
    assert right.status_code == wrong_phone.status_code == unknown.status_code == 202
    assert right.json() == wrong_phone.json() == unknown.json()
    assert SmsMessage.objects.filter(template="password_reset").count() == 1  # only the matching pair
    assert SmsMessage.objects.get(template="password_reset").to == citizen.user.phone


def test_a_malformed_phone_is_refused_naming_the_field(client, citizen):
    response = reset(client, citizen.personal_id, "12345")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["phone"]
    response = reset(client, " ", citizen.user.phone)
    assert [e["field"] for e in response.json()["errors"]] == ["username"]


def test_a_reset_ends_every_token_of_the_account(client, citizen):
    token = login(client, citizen.personal_id, citizen.password).json()["access_token"]
    reset(client, citizen.personal_id, citizen.user.phone)
    [code] = sent_codes(citizen.user.phone)
    confirm(client, citizen.personal_id, code)
    assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert not ApiToken.objects.filter(user=citizen.user, revoked_at__isnull=True).exists()


def test_a_used_code_never_works_again(client, citizen):
    reset(client, citizen.personal_id, citizen.user.phone)
    [code] = sent_codes(citizen.user.phone)
    assert confirm(client, citizen.personal_id, code).status_code == 200
    again = confirm(client, citizen.personal_id, code, "Mot-mat-khau-khac-2026")
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "code"


def test_an_expired_code_is_refused(client, citizen):
    reset(client, citizen.personal_id, citizen.user.phone)
    [code] = sent_codes(citizen.user.phone)
    PasswordResetCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = confirm(client, citizen.personal_id, code)
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "wrong_code"


def test_the_code_lives_ten_minutes(client, citizen):
    reset(client, citizen.personal_id, citizen.user.phone)
    row = PasswordResetCode.objects.get()
    assert row.expires_at - row.created_at == timedelta(minutes=10)


def test_the_sixth_try_kills_the_code_even_with_the_right_digits(client, citizen):
    reset(client, citizen.personal_id, citizen.user.phone)
    [code] = sent_codes(citizen.user.phone)
    for _try in range(5):
        response = confirm(client, citizen.personal_id, other_code(code))
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "code"
    response = confirm(client, citizen.personal_id, code)
    assert response.status_code == 422
    assert login(client, citizen.personal_id, citizen.password).status_code == 200  # the password is unchanged


def test_a_wrong_code_and_an_unknown_username_get_the_same_answer(client, citizen):
    reset(client, citizen.personal_id, citizen.user.phone)
    [code] = sent_codes(citizen.user.phone)
    wrong = confirm(client, citizen.personal_id, other_code(code))
    unknown = confirm(client, "001099000000", code)
    assert wrong.status_code == unknown.status_code == 422
    assert wrong.json() == unknown.json()


@pytest.mark.parametrize("code", ["12345", "abcdef", "1234567", ""])
def test_a_code_that_is_not_six_digits_is_refused_without_counting(client, citizen, code):
    reset(client, citizen.personal_id, citizen.user.phone)
    response = confirm(client, citizen.personal_id, code)
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "invalid_code"
    assert PasswordResetCode.objects.get().attempts == 0


def test_a_new_code_ends_the_earlier_one(client, citizen):
    reset(client, citizen.personal_id, citizen.user.phone)
    reset(client, citizen.personal_id, citizen.user.phone)
    first, second = sent_codes(citizen.user.phone)
    if first != second:  # one chance in a million that both codes are the same
        assert confirm(client, citizen.personal_id, first).status_code == 422
    assert confirm(client, citizen.personal_id, second).status_code == 200


def test_at_most_three_codes_an_hour_per_account(client, citizen):
    for _request in range(3):
        assert reset(client, citizen.personal_id, citizen.user.phone).status_code == 202
    response = reset(client, citizen.personal_id, citizen.user.phone)
    assert response.status_code == 429 and response.json()["code"] == "too_many_codes"
    assert len(sent_codes(citizen.user.phone)) == 3
    # A stranger without the phone is not told: the same 202 as ever.
    assert reset(client, citizen.personal_id, "0987654321").status_code == 202
    # An hour later the account may have codes again.
    PasswordResetCode.objects.update(created_at=timezone.now() - timedelta(hours=1, seconds=1))
    assert reset(client, citizen.personal_id, citizen.user.phone).status_code == 202


def test_requests_are_limited_per_client_address(client, citizen, settings):
    settings.GDDT_PASSWORD_RESETS_PER_ADDRESS_PER_HOUR = 4
    for number in range(4):
        assert reset(client, f"00109900000{number}", citizen.user.phone).status_code == 202
    response = reset(client, citizen.personal_id, citizen.user.phone)
    assert response.status_code == 429 and response.json()["code"] == "too_many_requests"
    assert not SmsMessage.objects.filter(template="password_reset").exists()
    other = reset(client, citizen.personal_id, citizen.user.phone, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 202


@pytest.mark.parametrize("new_password", ["short1A", "1234567890123"])
def test_a_weak_new_password_keeps_the_code_alive(client, citizen, new_password):
    reset(client, citizen.personal_id, citizen.user.phone)
    [code] = sent_codes(citizen.user.phone)
    response = confirm(client, citizen.personal_id, code, new_password)
    assert response.status_code == 422 and {e["field"] for e in response.json()["errors"]} == {"new_password"}
    assert confirm(client, citizen.personal_id, code).status_code == 200


def test_the_new_password_may_not_be_the_personal_id_or_the_birth_date(client, citizen):
    reset(client, citizen.personal_id, citizen.user.phone)
    [code] = sent_codes(citizen.user.phone)
    born = citizen.dossier.date_of_birth
    for new_password in (citizen.personal_id, born.strftime("%d%m%Y"), born.isoformat()):
        response = confirm(client, citizen.personal_id, code, new_password)
        assert response.status_code == 422
        assert {e["field"] for e in response.json()["errors"]} == {"new_password"}


def test_a_reset_also_ends_an_expired_initial_password_and_a_lock(client, citizen, settings):
    settings.GDDT_ACCOUNT_FAILURE_LIMIT = 2
    for address in ("192.0.2.1", "192.0.2.2"):
        client.post(
            LOGIN,
            {"username": citizen.personal_id, "password": "wrong-password"},
            content_type="application/json",
            REMOTE_ADDR=address,
        )
    assert login(client, citizen.personal_id, citizen.password).status_code == 429
    reset(client, citizen.personal_id, citizen.user.phone)
    [code] = sent_codes(citizen.user.phone)
    assert confirm(client, citizen.personal_id, code).status_code == 200
    assert login(client, citizen.personal_id, NEW_PASSWORD).status_code == 200


def test_every_step_is_audited_without_the_number_or_the_code(client, citizen):
    reset(client, citizen.personal_id, citizen.user.phone)
    [code] = sent_codes(citizen.user.phone)
    confirm(client, citizen.personal_id, other_code(code))
    confirm(client, citizen.personal_id, code)
    events = list(AuditEvent.objects.filter(action__startswith="password_reset").order_by("id"))
    assert [e.action for e in events] == ["password_reset.request", "password_reset.fail", "password_reset"]
    for event in events:
        text = f"{event.target} {event.detail} {event.actor_username}"
        assert citizen.personal_id not in text and code not in text and citizen.user.phone not in text
    assert len({e.target for e in events}) == 1  # the same account can be followed
