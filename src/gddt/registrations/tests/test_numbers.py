from hypothesis import given
from hypothesis import strategies as st

from gddt.registrations.numbers import (
    damm_digit,
    dossier_number_format,
    dossier_number_is_valid,
    dossier_number_make,
    dossier_number_normalize,
    dossier_qr_payload,
)

sequences = st.integers(min_value=1, max_value=99_999_999)
years = st.integers(min_value=2020, max_value=2099)


@given(years, sequences)
def test_every_made_number_carries_a_valid_check_digit(year, sequence):
    number = dossier_number_make(year=year, sequence=sequence)
    assert number.isdigit() and 10 <= len(number) <= 11
    assert number.startswith(f"{year % 100:02d}")
    assert dossier_number_is_valid(number)


@given(years, sequences, st.data())
def test_any_single_mistyped_digit_is_caught(year, sequence, data):
    number = dossier_number_make(year=year, sequence=sequence)
    position = data.draw(st.integers(min_value=0, max_value=len(number) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    mistyped = number[:position] + wrong + number[position + 1 :]
    assert not dossier_number_is_valid(mistyped)


@given(years, sequences, st.data())
def test_any_swap_of_two_adjacent_different_digits_is_caught(year, sequence, data):
    number = dossier_number_make(year=year, sequence=sequence)
    position = data.draw(st.integers(min_value=0, max_value=len(number) - 2))
    if number[position] == number[position + 1]:
        return
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    assert not dossier_number_is_valid(swapped)


@given(years, sequences)
def test_a_number_is_found_with_or_without_separators_and_from_its_qr_payload(year, sequence):
    number = dossier_number_make(year=year, sequence=sequence)
    formatted = dossier_number_format(number)
    assert dossier_number_normalize(formatted) == number
    assert dossier_number_normalize(formatted.replace("-", " ")) == number
    assert dossier_number_normalize(f"  {number} ") == number
    assert dossier_number_normalize(dossier_qr_payload(number)) == number
    assert dossier_number_normalize(dossier_qr_payload(number).lower()) == number


def test_the_formatted_number_is_short_and_grouped():
    assert dossier_number_format(dossier_number_make(year=2026, sequence=1234)) == "26-0001234-" + str(
        damm_digit("260001234")
    )


def test_text_that_is_not_a_number_is_refused():
    for text in ["", "abc", "26-00A1234-5", "123", "1" * 20, "２６０００１２３４５"]:
        assert dossier_number_normalize(text) is None
