"""Password rules: Django's validators with the project's messages, at least 8 characters for a citizen, and never
the personal ID, the insurance number, the phone or the birth date in a common form."""

from datetime import date

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from gddt.accounts.models import User


def refusals(password: str, user=None, language: str = "vi") -> list[str]:
    with translation.override(language):
        try:
            validate_password(password, user)
        except ValidationError as error:
            return error.messages
    return []


@pytest.fixture
def born_17_may_1990(citizen):
    citizen.dossier.date_of_birth = date(1990, 5, 17)
    citizen.dossier.save(update_fields=["date_of_birth"])
    return citizen


@pytest.mark.parametrize(
    "written", ["17051990", "1990-05-17", "170590", "17/05/1990", "17.05.90", "19900517", "Sinh17-05-1990!", "1751990"]
)
def test_the_birth_date_in_any_common_form_is_refused(born_17_may_1990, written):
    assert refusals(written, born_17_may_1990.user)


def test_the_personal_id_insurance_number_and_phone_are_refused(citizen):
    user = citizen.user
    phone = user.phone
    for password in (
        citizen.personal_id,
        f"Id{citizen.personal_id}!",
        citizen.bhxh_code,
        phone,
        "+84" + phone[1:],
        f"Goi{phone}",
    ):
        assert refusals(password, user), password


def test_a_citizen_needs_eight_characters_and_an_officer_ten(citizen, hanoi_verifier):
    assert not refusals("Quy-Nhon", citizen.user)
    assert refusals("Quy-Nho", citizen.user)
    assert refusals("Quy-Nhon", hanoi_verifier)
    assert not refusals("Quy-Nhon-26", hanoi_verifier)
    assert refusals("Quy-Nhon")  # no account given, as when an officer is created: the officers' length


def test_every_message_is_vietnamese_in_vietnamese(citizen):
    messages = (
        refusals("123", citizen.user) + refusals("password", citizen.user) + refusals(citizen.personal_id, citizen.user)
    )
    assert len(messages) >= 4
    english = {"This password is too short", "too common", "entirely numeric", "only digits", "contains your"}
    assert not [m for m in messages if any(word in m for word in english)], messages
    english_messages = refusals("123", citizen.user, "en")
    assert any("at least 8 characters" in m for m in english_messages)


def test_the_rules_know_nothing_of_another_person(citizen):
    other = User(username="001199000001", kind="citizen", phone="0912000111")
    assert not refusals("Hoa-Sen-17-05", other)
