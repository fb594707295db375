from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gddt.registrations import validators as v
from gddt_testing.factories import personal_id_for

births = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
sexes = st.sampled_from(["male", "female"])
prefixes = st.sampled_from(sorted(v.OLD_PROVINCE_CODES))

# Real-shaped personal IDs, each worked out by hand from the rule (docs domain.md): digits 1-3 the province where the
# birth was registered, digit 4 the century and sex (0/1 man/woman born 1900-1999, 2/3 born 2000-2099, 4/5
# 2100-2199), digits 5-6 the last two digits of the birth year, then six serial digits.
EXAMPLES = [
    # number,        born,               sex,      province (digits 1-3), digit 4, year
    ("001090123456", date(1990, 5, 17), "male"),  # 001 Hà Nội,          0 = man, 1900s,   90 -> 1990
    ("079195004321", date(1995, 11, 2), "female"),  # 079 Hồ Chí Minh,     1 = woman, 1900s, 95 -> 1995
    ("031203000111", date(2003, 1, 31), "male"),  # 031 Hải Phòng,       2 = man, 2000s,   03 -> 2003
    ("048317123456", date(2017, 8, 9), "female"),  # 048 Đà Nẵng,         3 = woman, 2000s, 17 -> 2017
    ("096000765432", date(1900, 12, 31), "male"),  # 096 Cà Mau,          0 = man, 1900s,   00 -> 1900
    ("040199888888", date(1999, 2, 28), "female"),  # 040 Nghệ An,         1 = woman, 1900s, 99 -> 1999
    ("001300000001", date(2000, 1, 1), "female"),  # 001 Hà Nội,          3 = woman, 2000s, 00 -> 2000
]


@pytest.mark.parametrize(("number", "born", "sex"), EXAMPLES)
def test_a_personal_id_passes_the_cross_check_with_its_own_birth_date_and_sex(number, born, sex):
    assert v.clean_personal_id(number, date_of_birth=born, sex=sex) == number
    assert v.birth_year_of(number) == born.year


@pytest.mark.parametrize(
    ("number", "year"),
    [
        ("001090123456", 1990),
        ("048317123456", 2017),
        ("001300000001", 2000),
        ("092425000042", 2125),
        ("079599000042", 2199),
        ("079600000042", 2200),
    ],
)
def test_the_birth_year_is_read_from_digits_four_to_six(number, year):
    assert v.birth_year_of(number) == year


@pytest.mark.parametrize(("number", "born", "sex"), EXAMPLES)
def test_the_other_sex_is_caught_by_digit_four(number, born, sex):
    other = "female" if sex == "male" else "male"
    with pytest.raises(v.Invalid) as caught:
        v.clean_personal_id(number, date_of_birth=born, sex=other)
    assert caught.value.code == "sex_century_mismatch"


@pytest.mark.parametrize(
    ("number", "born", "sex"),
    [
        ("001090123456", date(2090, 5, 17), "male"),  # digit 0 says 1900s: the same 90 a century later
        ("031203000111", date(1903, 1, 31), "male"),  # digit 2 says 2000s
        ("048317123456", date(1917, 8, 9), "female"),  # digit 3 says 2000s
    ],
)
def test_the_right_year_in_the_wrong_century_is_caught_by_digit_four(number, born, sex):
    with pytest.raises(v.Invalid) as caught:
        v.clean_personal_id(number, date_of_birth=born, sex=sex)
    assert caught.value.code == "sex_century_mismatch"


@pytest.mark.parametrize(
    ("number", "born", "sex"),
    [
        ("001090123456", date(1991, 5, 17), "male"),
        ("079195004321", date(1959, 11, 2), "female"),  # the two year digits swapped
        ("031203000111", date(2013, 1, 31), "male"),
    ],
)
def test_another_birth_year_is_caught_by_digits_five_and_six(number, born, sex):
    with pytest.raises(v.Invalid) as caught:
        v.clean_personal_id(number, date_of_birth=born, sex=sex)
    assert caught.value.code == "birth_year_mismatch"


@given(births, sexes, prefixes, st.integers(min_value=0, max_value=999_999))
def test_every_well_formed_personal_id_passes_and_the_other_sex_does_not(born, sex, prefix, serial):
    # Digit 4 comes from a table copied from the rule, not from the code under test.
    number = personal_id_for(born=born, sex=sex, province=prefix, serial=serial)
    assert v.clean_personal_id(number, date_of_birth=born, sex=sex) == number
    assert v.birth_year_of(number) == born.year
    with pytest.raises(v.Invalid) as caught:
        v.clean_personal_id(number, date_of_birth=born, sex="female" if sex == "male" else "male")
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


@pytest.mark.parametrize(
    "phone,expected",
    [
        ("0912345678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0321 234 567", "0321234567"),
        ("086.234.5678", "0862345678"),
    ],
)
def test_vietnamese_mobiles_are_accepted_in_every_usual_spelling(phone, expected):
    assert v.clean_phone(phone) == expected


@pytest.mark.parametrize("phone", ["0243775394", "091234567", "0123456789", "+14155550100", "hello", "09123456789"])
def test_landlines_foreign_and_malformed_numbers_are_not_mobiles(phone):
    with pytest.raises(v.Invalid) as caught:
        v.clean_phone(phone)
    assert caught.value.code == "not_vietnamese_mobile"


@pytest.mark.parametrize(
    "text,code",
    [
        ("2020-02-30", "invalid_date"),
        ("2020/01/01", "invalid_format"),
        ("01-02-2020", "invalid_format"),
        ("20200101", "invalid_format"),
        ("1899-12-31", "too_early"),
        ("", "required"),
    ],
)
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


@pytest.mark.parametrize(
    "name,code",
    [
        ("   ", "required"),
        ("Nguyễn\x00An", "control_characters"),
        ("An\u202eB", "control_characters"),
        ("<script>alert(1)</script>", "invalid_characters"),
        ("Nguyễn <b>An</b>", "invalid_characters"),
        ("R2D2", "invalid_characters"),
        ("x" * 101, "too_long"),
    ],
)
def test_names_of_spaces_control_characters_markup_or_digits_are_refused(name, code):
    with pytest.raises(v.Invalid) as caught:
        v.clean_name(name)
    assert caught.value.code == code


def test_age_counts_whole_years_to_the_day():
    assert v.age_on(date(2026, 5, 16), born=date(2008, 5, 17)) == 17
    assert v.age_on(date(2026, 5, 17), born=date(2008, 5, 17)) == 18
