"""Parsing of the citizen's HTML registration form into the contract's `data` object (the same dict a JSON
client sends), and the small view-models that put typed values and error messages back beside their inputs.

Inputs are named by the dotted path of the `data` field they fill ("id_document.number"), so an error of the
intake service, which names the same path, lands beside its input. No checks here: intake.py does them all."""

import re
from dataclasses import dataclass, field
from functools import lru_cache

import phonenumbers
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.functional import Promise
from django.utils.translation import get_language
from phonenumbers import geocoder

from gddt.core.errors import Problem
from gddt.core.text import strip_diacritics
from gddt.registrations.intake import COUNTRY_CODES, ONLINE_KINDS
from gddt.registrations.labels import FIELD_LABELS
from gddt.registrations.models import Category, DocumentKind, IdDocumentType

ADULT_BLOCK = ("id_document.type", "id_document.number", "id_document.issued_on", "id_document.issued_by", "phone")
MINOR_BLOCK = (
    "birth_certificate.number",
    "birth_certificate.issued_on",
    "birth_certificate.issued_by",
    "guardian.full_name",
    "guardian.relationship",
    "guardian.personal_id",
    "guardian.phone",
)
COMMON_INPUTS = (
    "category",
    "full_name",
    "date_of_birth",
    "sex",
    "nationality",
    "personal_id",
    "bhxh_code",
    "email",
    "address.province_code",
    "address.ward_code",
    "address.street",
    "office_code",
    "consent",
    "child_consent",
    "consent_version",
)
INPUTS = COMMON_INPUTS[:7] + ADULT_BLOCK + MINOR_BLOCK + COMMON_INPUTS[7:]
DATE_INPUTS = {"date_of_birth", "id_document.issued_on", "birth_certificate.issued_on"}
PHOTO_INPUTS = (
    DocumentKind.PORTRAIT,
    DocumentKind.ID_FRONT,
    DocumentKind.ID_BACK,
    DocumentKind.BIRTH_CERTIFICATE,
    DocumentKind.GUARDIAN_ID_FRONT,
    DocumentKind.GUARDIAN_ID_BACK,
)
# Errors about a whole object (e.g. "address" missing) are shown at the top of its fieldset. The form always
# sends the objects of its category, so such errors are rare; "birth_certificate" is also a photo's name, and
# an error under that name from this form is about the photo.
FIELDSETS = ("id_document", "guardian", "address")

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def _text(post: QueryDict, name: str) -> str | None:
    value = post.get(name, "").strip()
    return value or None


def _date(post: QueryDict, name: str) -> str | None:
    """A date as the contract wants it (YYYY-MM-DD); "17/05/1990", as people write it, is read as such."""
    value = _text(post, name)
    if value and (match := _DMY.match(value)):
        day, month, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return value


def _block(post: QueryDict, prefix: str, names: tuple[str, ...]) -> dict[str, str | None]:
    # Every key present (None when empty), so that intake names each missing input rather than the object.
    return {name: (_date if f"{prefix}.{name}" in DATE_INPUTS else _text)(post, f"{prefix}.{name}") for name in names}


def registration_data(post: QueryDict) -> dict:
    """The `data` object of the JSON API from the posted form. The inputs of the other category (all shown
    when the page runs without JavaScript) are left out, and empty inputs are absent or None, never ""."""
    category = _text(post, "category")
    data: dict = {
        "category": category,
        "full_name": _text(post, "full_name"),
        "date_of_birth": _date(post, "date_of_birth"),
        "sex": _text(post, "sex"),
        "nationality": _text(post, "nationality"),
        "personal_id": _text(post, "personal_id"),
        "bhxh_code": _text(post, "bhxh_code"),
        "email": _text(post, "email"),
        "office_code": _text(post, "office_code"),
    }
    if category == Category.MINOR_WITHOUT_ID_CARD:
        data["birth_certificate"] = _block(post, "birth_certificate", ("number", "issued_on", "issued_by"))
        data["guardian"] = _block(post, "guardian", ("full_name", "relationship", "personal_id", "phone"))
    else:
        data["id_document"] = _block(post, "id_document", ("type", "number", "issued_on", "issued_by"))
        data["phone"] = _text(post, "phone")
    data = {key: value for key, value in data.items() if value is not None}
    data["address"] = _block(post, "address", ("province_code", "ward_code", "street"))
    data["consent"] = post.get("consent") == "true"
    if category == Category.MINOR_WITHOUT_ID_CARD:
        data["child_consent"] = post.get("child_consent") == "true"
    version = post.get("consent_version", "").strip()
    if version.isascii() and version.isdigit():  # the version the page showed; intake refuses a stale one
        data["consent_version"] = int(version)
    return data


def registration_files(files: MultiValueDict[str, UploadedFile], *, category: str | None) -> dict[str, UploadedFile]:
    """The photos of the chosen category, one per document kind; the other category's inputs are ignored."""
    if category not in Category.values:
        return {}
    chosen: dict[str, UploadedFile] = {}
    for kind in ONLINE_KINDS[Category(category)]:
        upload = files.get(kind)
        if upload:
            chosen[str(kind)] = upload
    return chosen


@dataclass
class Field:
    """One input as a template needs it: its name (the data path), label, typed value and messages."""

    name: str
    label: str | Promise
    value: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-").replace("_", "-")


@dataclass
class FormState:
    fields: dict[str, Field]  # keyed by the path with "." as "__", for templates: f.id_document__number
    summary: list[tuple[str | Promise, str, str]]  # (label or "", message, anchor or "") for the box at the top
    general: list[str]  # messages not about one input


def form_state(*, values: QueryDict | dict[str, str] | None, problem: Problem | None) -> FormState:
    """The inputs with their typed values and the problem's messages, each beside its input when it names
    one, in a summary at the top in every case."""
    values = values or {}
    fields = {
        name: Field(name=name, label=FIELD_LABELS[name], value=values.get(name, ""))
        for name in (*INPUTS, *FIELDSETS, *PHOTO_INPUTS)
    }
    summary: list[tuple[str | Promise, str, str]] = []
    general: list[str] = []
    for error in problem.errors if problem else []:
        message = str(error.message)
        target = fields.get(error.field)
        if target is None:
            general.append(message)
            summary.append(("", message, ""))
            continue
        target.errors.append(message)
        summary.append((target.label, message, target.id))
    return FormState(
        fields={name.replace(".", "__"): f for name, f in fields.items()}, summary=summary, general=general
    )


@lru_cache(maxsize=8)
def _nationalities(language: str) -> tuple[tuple[str, str], ...]:
    names = []
    for code in COUNTRY_CODES:
        example = phonenumbers.example_number(code)
        name = geocoder.country_name_for_number(example, language) if example else ""
        names.append((code, name or code))
    names.sort(key=lambda item: strip_diacritics(item[1]).casefold())
    return tuple(names)


def nationality_choices() -> tuple[tuple[str, str], ...]:
    """ISO 3166 codes with the country names of the active language (from phonenumbers' data), Việt Nam
    first."""
    language = (get_language() or "vi").split("-")[0]
    names = _nationalities(language)
    return tuple(item for item in names if item[0] == "VN") + tuple(item for item in names if item[0] != "VN")


def nationality_name(code: str) -> str:
    """The country of an ISO 3166 code in the active language ("VN" is "Việt Nam"); an unknown code as it is."""
    language = (get_language() or "vi").split("-")[0]
    return dict(_nationalities(language)).get(code, code)


def name_lacks_diacritics(name: str, *, nationality: str) -> bool:
    """A Vietnamese name typed without its marks ("Nguyen Van An"): worth a gentle word, never a refusal (some
    names have none, and the officer corrects a wrong one at the office)."""
    letters = [ch for ch in name if ch.isalpha()]
    return (
        (nationality or "VN") == "VN"
        and len(letters) >= 4
        and all(ch.isascii() for ch in letters)
        and strip_diacritics(name) == name
    )


def personal_id_optional(*, category: str, id_type: str) -> bool:
    """The personal ID may be left out (the insurance number given instead) for a minor, or with a 9-digit CMND or
    a passport; a CCCD or a 12-digit CMND is the personal ID itself (intake.py holds the rule)."""
    return category == Category.MINOR_WITHOUT_ID_CARD or id_type in (IdDocumentType.CMND9, IdDocumentType.PASSPORT)
