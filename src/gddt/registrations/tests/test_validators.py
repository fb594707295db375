from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gddt.registrations import validators as v
from gddt_testing.factories import personal_id_for

births = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))
sexes = st.sampled_from(["male", "female"])
prefixes = st.sampled_from(sorted(v.OLD_PROVINCE_CODES))


@given(births, sexes, prefixes, st.integers(min_value=0, max_value=999_999))
def test_a_well_formed_personal_id_passes_the_cross_check(born, sex, prefix, serial):
    number = personal_id_for(born=born, sex=sex, province=prefix, serial=serial)
    assert v.clean_personal_id(number, date_of_birth=born, sex=sex) == number
    assert v.birth_year_of(number) == born.year


@given(births, sexes, st.integers(min_value=0, max_value=999_999))
def test_the_other_sex_is_caught_by_digit_four(born, sex, serial):
    number = personal_id_for(born=born, sex=sex, serial=serial)
    other = "female" if sex == "male" else "male"
    with pytest.raises(v.Invalid) as caught:
        v.clean_personal_id(number, date_of_birth=born, sex=other)
    assert caught.value.code == "sex_century_mismatch"


@given(births, sexes, st.integers(min_value=1, max_value=99))
def test_another_birth_year_is_caught(born, sex, shift):
    number = personal_id_for(born=born, sex=sex)
    other = born.replace(year=born.year - shift if born.year - shift >= 1900 else born.year + shift, day=1)
    assume(other.year % 100 != born.year % 100)
    with pytest.raises(v.Invalid) as caught:
        v.clean_personal_id(number, date_of_birth=other, sex=sex)
    assert caught.value.code in {"birth_year_mismatch", "sex_century_mismatch"}


@given(st.text(min_size=0, max_size=14))
def test_anything_but_twelve_ascii_digits_is_refused(text):
    assume(not (len(text) == 12 and text.isascii() and text.isdigit()))
    with pytest.raises(v.Invalid):
        v.clean_personal_id(text)


@pytest.mark.parametrize("prefix", ["000", "003", "099", "100", "999"])
def test_an_unknown_province_code_is_refused(prefix):
    with pytest.raises(v.Invalid) as caught:
        v.clean_personal_id(f"{prefix}090012345")
    assert caught.value.code == "unknown_province_code"


def test_extra_prefixes_for_births_abroad_are_a_setting(settings):
    settings.GDDT_EXTRA_PERSONAL_ID_PREFIXES = ["999"]
    assert v.clean_personal_id("999090012345") == "999090012345"


@pytest.mark.parametrize("phone,expected", [
    ("0912345678", "0912345678"), ("+84912345678", "0912345678"), ("84912345678", "0912345678"),
    ("0321 234 567", "0321234567"), ("086.234.5678", "0862345678"),
])
def test_vietnamese_mobiles_are_accepted_in_every_usual_spelling(phone, expected):
    assert v.clean_phone(phone) == expected


@pytest.mark.parametrize("phone", ["0243775394", "091234567", "0123456789", "+14155550100", "hello", "09123456789"])
def test_landlines_foreign_and_malformed_numbers_are_not_mobiles(phone):
    with pytest.raises(v.Invalid) as caught:
        v.clean_phone(phone)
    assert caught.value.code == "not_vietnamese_mobile"


@pytest.mark.parametrize("text,code", [
    ("2020-02-30", "invalid_date"), ("2020/01/01", "invalid_format"), ("01-02-2020", "invalid_format"),
    ("20200101", "invalid_format"), ("1899-12-31", "too_early"), ("", "required"),
])
def test_impossible_dates_are_refused(text, code):
    with pytest.raises(v.Invalid) as caught:
        v.clean_date(text)
    assert caught.value.code == code


def test_a_future_date_is_refused():
    tomorrow = date.fromordinal(v.today().toordinal() + 1)
    with pytest.raises(v.Invalid) as caught:
        v.clean_date(tomorrow.isoformat())
    assert caught.value.code == "future_date"


@pytest.mark.parametrize("name", ["Nguyễn Văn An", "Đặng Thị Ánh Tuyết", "H'Hen Niê", "Ka Sô Liễng", "Jean-Luc D."])
def test_real_names_are_accepted(name):
    assert v.clean_name(name) == name


def test_extra_spaces_in_a_name_are_folded():
    assert v.clean_name("  Nguyễn   Văn  An ") == "Nguyễn Văn An"


@pytest.mark.parametrize("name,code", [
    ("   ", "required"), ("Nguyễn\x00An", "control_characters"), ("An\u202eB", "control_characters"),
    ("<script>alert(1)</script>", "invalid_characters"), ("Nguyễn <b>An</b>", "invalid_characters"),
    ("R2D2", "invalid_characters"), ("x" * 101, "too_long"),
])
def test_names_of_spaces_control_characters_markup_or_digits_are_refused(name, code):
    with pytest.raises(v.Invalid) as caught:
        v.clean_name(name)
    assert caught.value.code == code


def test_age_counts_whole_years_to_the_day():
    assert v.age_on(date(2026, 5, 16), born=date(2008, 5, 17)) == 17
    assert v.age_on(date(2026, 5, 17), born=date(2008, 5, 17)) == 18
