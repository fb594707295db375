"""The password rules (AUTH_PASSWORD_VALIDATORS): Django's validators with the project's own messages, so that a
Vietnamese page never shows an English sentence beside Vietnamese ones, and a rule refusing what is written about
the person: the personal ID, the insurance number, the phone and the birth date in its common forms."""

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gddt.registrations.models import Dossier

_SEPARATORS = re.compile(r"[\s./\-_]")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """At least `min_length` characters for a citizen, `officer_min_length` for an officer (and when no account
    is given, as when an officer is created)."""

    def __init__(self, min_length: int = 8, officer_min_length: int = 10) -> None:
        super().__init__(min_length=min_length)
        self.officer_min_length = max(officer_min_length, min_length)
        self.citizen_min_length = min_length

    def _for(self, user: Any) -> int:
        return self.citizen_min_length if getattr(user, "kind", None) == "citizen" else self.officer_min_length

    def validate(self, password: str, user: Any = None) -> None:
        self.min_length = self._for(user)
        super().validate(password, user)

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: it must have at least %(min_length)d character.",
            "This password is too short: it must have at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must have at least %(min_length)d character.",
            "Your password must have at least %(min_length)d characters.",
            self.citizen_min_length,
        ) % {"min_length": self.citizen_min_length}


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("This password is too common: anyone could guess it.")

    def get_help_text(self) -> str:
        return _("Your password must not be a commonly used password.")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("This password has only digits: add letters.")

    def get_help_text(self) -> str:
        return _("Your password must not be only digits.")


def _date_forms(day: date) -> set[str]:
    """A birth date as people write it, separators left out: 17051990, 19900517, 170590, 900517, 1751990."""
    d, m, y = f"{day.day:02d}", f"{day.month:02d}", f"{day.year:04d}"
    short = y[2:]
    unpadded = f"{day.day}{day.month}"  # 1751990: a day or month written with one digit
    return {d + m + y, y + m + d, d + m + short, short + m + d, m + d + y, unpadded + y, unpadded + short}


def _phone_forms(phone: str) -> set[str]:
    digits = re.sub(r"\D", "", phone)
    if not digits:
        return set()
    national = "0" + digits[2:] if digits.startswith("84") else digits
    return {national, "84" + national[1:], national[1:]}


def personal_data_forms(user: Any) -> set[str]:
    """Everything about the account's person that a password must not contain, without separators."""
    forms: set[str] = set()
    username = getattr(user, "username", "") or ""
    if username.isdigit():
        forms.add(username)
    forms |= _phone_forms(getattr(user, "phone", "") or "")
    if getattr(user, "pk", None) is not None and getattr(user, "kind", None) == "citizen":
        dossiers: Iterable[tuple[str | None, str | None, str, date]] = Dossier.objects.filter(account=user).values_list(
            "personal_id", "bhxh_code", "phone", "date_of_birth"
        )
        for personal_id, bhxh_code, phone, born in dossiers:
            forms |= {value for value in (personal_id, bhxh_code) if value}
            forms |= _phone_forms(phone or "")
            if born:
                forms |= _date_forms(born)
    return {form for form in forms if len(form) >= 6}


class PersonalDataValidator:
    """Refuses a password that contains the personal ID, the insurance number, the phone number or the birth date
    (17051990, 1990-05-17, 17/05/90, 170590...), whatever separators it is written with."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        typed = _SEPARATORS.sub("", password)
        if any(form in typed for form in personal_data_forms(user)):
            raise ValidationError(
                _(
                    "This password contains your personal ID, insurance number, phone number or birth date, which "
                    "others can know: choose another."
                ),
                code="password_personal_data",
            )

    def get_help_text(self) -> str:
        return _("Your password must not contain your ID number, insurance number, phone number or birth date.")
