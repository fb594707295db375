import pytest

from gddt.accounts.services import password_generate

LOOK_ALIKES = set("0O1lIio")


@pytest.mark.parametrize("length", [10, 16, 24])
def test_one_generator_makes_passwords_of_the_asked_length_without_look_alike_characters(length):
    for _attempt in range(50):
        password = password_generate(length=length)
        assert len(password) == length
        assert not LOOK_ALIKES & set(password)
        assert any(c.isdigit() for c in password) and any(c.isupper() for c in password)


def test_a_citizens_initial_password_is_short_enough_to_type_from_an_sms(citizen):
    assert len(citizen.password) == 10
    assert not LOOK_ALIKES & set(citizen.password)
    assert citizen.user.check_password(citizen.password)


def test_generated_passwords_differ():
    assert len({password_generate(length=16) for _ in range(20)}) == 20
