"""Checks of single values, with messages that name the problem (product.md rule 8, domain.md identifiers).

Each function returns the cleaned value or raises `Invalid(code, message)`; the intake service adds the
field's dotted path and collects every error of a request at once."""

import re
from datetime import date

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gddt.core.text import has_control_characters, squeeze_spaces

# Digits 1-3 of a personal ID: the pre-2025 code of the province where the birth was registered.
OLD_PROVINCE_CODES = frozenset(
    {
        "001",
        "002",
        "004",
        "006",
        "008",
        "010",
        "011",
        "012",
        "014",
        "015",
        "017",
        "019",
        "020",
        "022",
        "024",
        "025",
        "026",
        "027",
        "030",
        "031",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "040",
        "042",
        "044",
        "045",
        "046",
        "048",
        "049",
        "051",
        "052",
        "054",
        "056",
        "058",
        "060",
        "062",
        "064",
        "066",
        "067",
        "068",
        "070",
        "072",
        "074",
        "075",
        "077",
        "079",
        "080",
        "082",
        "083",
        "084",
        "086",
        "087",
        "089",
        "091",
        "092",
        "093",
        "094",
        "095",
        "096",
    }
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A person's name: letters (any script, with their marks), spaces, and the apostrophe, hyphen and dot.
_NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?$")
_PASSPORT_RE = re.compile(r"^[A-Z0-9]{6,12}$")


class Invalid(Exception):
    def __init__(self, code: str, message: str | Promise, also: list["Invalid"] | None = None):
        super().__init__(code)
        self.code = code
        self.message = message
        self.also = also or []  # more problems of the same value, reported beside this one


def today() -> date:
    return timezone.localdate()


def clean_text(value: object, *, max_length: int, required: bool = True) -> str:
    """Free text (a street, an issuing authority): any printable text, stored as text, shown escaped."""
    if value is None or value == "":
        if required:
            raise Invalid("required", _("This field is required."))
        return ""
    if not isinstance(value, str):
        raise Invalid("invalid_type", _("This field must be text."))
    if has_control_characters(value.replace("\n", " ")):
        raise Invalid("control_characters", _("This field contains invisible control characters."))
    value = squeeze_spaces(value)
    if required and not value:
        raise Invalid("required", _("This field is required."))
    if len(value) > max_length:
        raise Invalid("too_long", _("This field is longer than %(max)d characters.") % {"max": max_length})
    return value


def clean_name(value: object) -> str:
    if isinstance(value, str) and has_control_characters(value):
        raise Invalid("control_characters", _("The name contains invisible control characters."))
    name = clean_text(value, max_length=100)
    if not _NAME_RE.match(name):
        raise Invalid(
            "invalid_characters", _("A name may contain only letters, spaces, apostrophes, hyphens and dots.")
        )
    return name


def clean_date(value: object, *, not_before: date | None = None) -> date:
    if value is None or value == "":
        raise Invalid("required", _("This field is required."))
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise Invalid("invalid_format", _("Enter the date as YYYY-MM-DD."))
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise Invalid("invalid_date", _("This date does not exist.")) from None
    if parsed > today():
        raise Invalid("future_date", _("This date is in the future."))
    if parsed.year < 1900:
        raise Invalid("too_early", _("This date is before 1900."))
    if not_before and parsed < not_before:
        raise Invalid("before_birth", _("This date is before the date of birth."))
    return parsed


def clean_choice(value: object, choices: list[str]) -> str:
    if value is None or value == "":
        raise Invalid("required", _("This field is required."))
    if not isinstance(value, str) or value not in choices:
        raise Invalid("invalid_choice", _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)})
    return value


def clean_digits(value: object, *, length: int) -> str:
    if value is None or value == "":
        raise Invalid("required", _("This field is required."))
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise Invalid("invalid_type", _("This field must be text."))
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) == length):
        raise Invalid("invalid_format", _("Enter exactly %(n)d digits.") % {"n": length})
    return text


def century_sex_digit(*, birth_year: int, sex: str) -> int:
    """Digit 4 of a personal ID: 0/1 for men/women born 1900-1999, 2/3 for 2000-2099, and so on."""
    return 2 * ((birth_year - 1900) // 100) + (1 if sex == "female" else 0)


def birth_year_of(personal_id: str) -> int:
    return 1900 + 100 * (int(personal_id[3]) // 2) + int(personal_id[4:6])


def clean_personal_id(value: object, *, date_of_birth: date | None = None, sex: str | None = None) -> str:
    """The 12-digit personal ID, cross-checked with the birth date and sex given beside it (no check digit
    exists, so its structure is what can be checked)."""
    number = clean_digits(value, length=12)
    prefixes = OLD_PROVINCE_CODES | set(settings.GDDT_EXTRA_PERSONAL_ID_PREFIXES)
    if number[:3] not in prefixes:
        raise Invalid("unknown_province_code", _("The first three digits of the personal ID are not a province code."))
    if date_of_birth is not None:
        found = []  # both are reported when both disagree
        if number[4:6] != f"{date_of_birth.year % 100:02d}":
            found.append(
                Invalid("birth_year_mismatch", _("Digits 5 and 6 of the personal ID do not match the year of birth."))
            )
        if sex in ("male", "female") and int(number[3]) != century_sex_digit(birth_year=date_of_birth.year, sex=sex):
            found.append(
                Invalid(
                    "sex_century_mismatch",
                    _("Digit 4 of the personal ID does not match the sex and the century of birth."),
                )
            )
        if found:
            raise Invalid(found[0].code, found[0].message, also=found[1:])
    return number


def clean_phone(value: object) -> str:
    """A Vietnamese mobile number, returned in its national 10-digit form (0912345678)."""
    if value is None or value == "":
        raise Invalid("required", _("This field is required."))
    if not isinstance(value, str):
        raise Invalid("invalid_type", _("This field must be text."))
    try:
        parsed = phonenumbers.parse(value, "VN")
    except phonenumbers.NumberParseException:
        parsed = None
    if (
        parsed is None
        or parsed.country_code != 84
        or not phonenumbers.is_valid_number(parsed)
        or phonenumbers.number_type(parsed) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise Invalid("not_vietnamese_mobile", _("Enter a Vietnamese mobile number, for example 0912345678."))
    return f"0{parsed.national_number}"


def clean_email(value: object) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise Invalid("invalid_type", _("This field must be text."))
    try:
        validate_email(value.strip())
    except ValidationError:
        raise Invalid("invalid_email", _("Enter a valid email address.")) from None
    return value.strip().lower()


def clean_passport(value: object) -> str:
    text = clean_text(value, max_length=12).upper().replace(" ", "")
    if not _PASSPORT_RE.match(text):
        raise Invalid("invalid_format", _("A passport number has 6 to 12 letters or digits."))
    return text


def age_on(day: date, *, born: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
