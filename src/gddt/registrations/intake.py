"""Cleaning of a registration request: every field of the contract's `data` object and every photo, with all
errors of the request collected at once and named by their dotted path. Reads reference data, writes nothing."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import phonenumbers
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gddt.consents.models import ConsentGiver
from gddt.consents.reference import consent_text_current
from gddt.consents.selectors import CHILD_CONSENT_AGE
from gddt.core.errors import FieldError, Problem, bad_request, invalid
from gddt.offices.models import Office
from gddt.registrations import validators as v
from gddt.registrations.images import CleanImage, PixelBudget, image_clean
from gddt.registrations.models import (
    Category,
    DocumentKind,
    IdDocumentType,
    Relationship,
    RequiredComponent,
    Sex,
)
from gddt.registrations.reference import active_office, province_by_code, required_components, ward_by_code

TOP_LEVEL_FIELDS = {
    "category",
    "full_name",
    "date_of_birth",
    "sex",
    "nationality",
    "personal_id",
    "bhxh_code",
    "id_document",
    "birth_certificate",
    "guardian",
    "phone",
    "email",
    "address",
    "office_code",
    "consent",
    "child_consent",
    "consent_version",
}
PERSON_FIELDS = TOP_LEVEL_FIELDS - {"office_code", "consent", "child_consent", "consent_version"}
ONLINE_KINDS = {
    Category.WITH_ID_CARD: [DocumentKind.ID_FRONT, DocumentKind.ID_BACK, DocumentKind.PORTRAIT],
    Category.MINOR_WITHOUT_ID_CARD: [
        DocumentKind.PORTRAIT,
        DocumentKind.BIRTH_CERTIFICATE,
        DocumentKind.GUARDIAN_ID_FRONT,
        DocumentKind.GUARDIAN_ID_BACK,
    ],
}
COUNTRY_CODES = sorted(r for r in phonenumbers.SUPPORTED_REGIONS if r.isalpha() and len(r) == 2)


@dataclass
class CleanRegistration:
    values: dict[str, Any] = field(default_factory=dict)  # Dossier field name -> value
    photos: dict[str, CleanImage] = field(default_factory=dict)
    office: Office | None = None
    child_consent: bool = False  # a child aged 7 or more agreed too (its time is the dossier's)


class _Collector:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def run(self, path: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except v.Invalid as error:
            self.errors.append(FieldError(path, error.code, error.message))
            self.errors.extend(FieldError(path, more.code, more.message) for more in error.also)
            return None

    def add(self, path: str, code: str, message: str | Promise) -> None:
        self.errors.append(FieldError(path, code, message))


def _object(c: _Collector, data: dict, name: str, *, required: bool) -> dict:
    value = data.get(name)
    if value is None:
        if required:
            c.add(name, "required", _("This field is required."))
        return {}
    if not isinstance(value, dict):
        c.add(name, "invalid_type", _("This field must be an object."))
        return {}
    if not value and required:  # an empty object is as missing as an absent one
        c.add(name, "required", _("This field is required."))
    return value


def _unknown(c: _Collector, obj: dict, allowed: set[str], prefix: str = "") -> None:
    for key in sorted(set(obj) - allowed):
        c.add(f"{prefix}{key}", "unknown_field", _("This field is not part of a registration."))


def registration_clean(*, data: Any, files: dict[str, UploadedFile]) -> CleanRegistration:
    """Raises Problem (422, or 400 for a malformed request) naming every field in error."""
    if not isinstance(data, dict):
        raise bad_request("data", "invalid_type", _("The registration must be a JSON object."))
    c = _Collector()
    out = CleanRegistration()
    val = out.values
    _unknown(c, data, TOP_LEVEL_FIELDS)
    _clean_person(c, data, val, on=v.today())

    office_code = data.get("office_code")
    if office_code in (None, ""):
        c.add("office_code", "required", _("This field is required."))
    else:
        out.office = active_office(code=str(office_code))
        if out.office is None:
            c.add("office_code", "unknown_office", _("There is no office with this code."))
    _clean_consent(c, data, out, on=v.today())

    _clean_photos(c, files, out, val.get("category"), val.get("id_type"))
    if c.errors:
        raise invalid(c.errors)
    return out


def _clean_consent(c: _Collector, data: dict, out: CleanRegistration, *, on: date) -> None:
    """Rule 16: the consent, the version of the text it was given to (the current one), who gave it, and for a child
    aged 7 or more on the day of registration the child's own agreement."""
    if data.get("consent") is not True:
        c.add("consent", "consent_required", _("Consent to the processing of personal data is required to register."))
    text = consent_text_current()
    if text is None:
        # An installation whose administrator withdrew every text: no consent can be recorded, so none is taken.
        raise Problem(
            503,
            _("Registration is closed for now: no consent text is published. Please try again later."),
            "no_consent_text",
        )
    version = data.get("consent_version")
    if version is not None:
        if not isinstance(version, int) or isinstance(version, bool):
            c.add("consent_version", "invalid_type", _("This field must be a whole number."))
        elif version != text.version:
            c.add(
                "consent_version",
                "consent_text_changed",
                _("The consent text has changed since it was shown. Read the new text and agree to it again."),
            )
    out.values["consent_text"] = text
    minor = out.values.get("category") == Category.MINOR_WITHOUT_ID_CARD
    out.values["consent_by"] = ConsentGiver.GUARDIAN if minor else ConsentGiver.PERSON
    child = data.get("child_consent")
    if child is not None and not isinstance(child, bool):
        c.add("child_consent", "invalid_type", _("This field must be true or false."))
        return
    if not minor:
        if child:
            c.add("child_consent", "not_for_category", _("This field is only for a minor without an ID card."))
        return
    born = out.values.get("date_of_birth")
    if born is not None and CHILD_CONSENT_AGE <= v.age_on(on, born=born) < 18:
        if child is not True:
            c.add(
                "child_consent",
                "child_consent_required",
                _("A child aged 7 or more must agree to the registration too: ask the child and tick the box."),
            )
        else:
            out.child_consent = True


def person_data_clean(*, data: dict, on: date) -> dict[str, Any]:
    """The Dossier values of a registration's personal data: every field of `data` but office_code and consent,
    with the same checks and cross-checks as registration_clean (used by the counter's corrections). `on` is
    the day a minor must be under 18 (the day of submission). Raises invalid() naming every field in error."""
    c = _Collector()
    values: dict[str, Any] = {}
    _unknown(c, data, PERSON_FIELDS)
    _clean_person(c, data, values, on=on)
    if c.errors:
        raise invalid(c.errors)
    return values


def _clean_person(c: _Collector, data: dict, val: dict, *, on: date) -> None:
    category = c.run("category", v.clean_choice, data.get("category"), Category.values)
    val["category"] = category
    val["full_name"] = c.run("full_name", v.clean_name, data.get("full_name"))
    dob: date | None = c.run("date_of_birth", v.clean_date, data.get("date_of_birth"))
    val["date_of_birth"] = dob
    sex = c.run("sex", v.clean_choice, data.get("sex"), Sex.values)
    val["sex"] = sex
    nationality = data.get("nationality") or "VN"
    val["nationality"] = c.run("nationality", v.clean_choice, nationality, COUNTRY_CODES)

    personal_id = data.get("personal_id")
    if personal_id not in (None, ""):
        val["personal_id"] = c.run("personal_id", v.clean_personal_id, personal_id, date_of_birth=dob, sex=sex)
    else:
        val["personal_id"] = None
    bhxh_code = data.get("bhxh_code")
    val["bhxh_code"] = c.run("bhxh_code", v.clean_digits, bhxh_code, length=10) if bhxh_code not in (None, "") else None
    if personal_id in (None, "") and bhxh_code in (None, ""):
        c.add(
            "personal_id",
            "identifier_required",
            _("Give the personal ID number or the social insurance number (or both)."),
        )

    if category == Category.WITH_ID_CARD:
        _clean_id_document(c, data, val, dob)
        for name in ("birth_certificate", "guardian"):
            if data.get(name) is not None:
                c.add(name, "not_for_category", _("This field is only for a minor without an ID card."))
        val["phone"] = c.run("phone", v.clean_phone, data.get("phone"))
    elif category == Category.MINOR_WITHOUT_ID_CARD:
        if dob is not None and v.age_on(on, born=dob) >= 18:
            c.add("date_of_birth", "not_a_minor", _("A person aged 18 or more registers with their own ID card."))
        if data.get("id_document") is not None:
            c.add("id_document", "not_for_category", _("A minor without an ID card has no ID document."))
        _clean_birth_certificate(c, data, val, dob)
        _clean_guardian(c, data, val)

    val["email"] = c.run("email", v.clean_email, data.get("email"))
    _clean_address(c, data, val)


def _clean_id_document(c: _Collector, data: dict, val: dict, dob: date | None) -> None:
    doc = _object(c, data, "id_document", required=True)
    if not doc:
        return
    _unknown(c, doc, {"type", "number", "issued_on", "issued_by"}, "id_document.")
    id_type = c.run("id_document.type", v.clean_choice, doc.get("type"), IdDocumentType.values)
    val["id_type"] = id_type or ""
    number = None
    if id_type in (IdDocumentType.CCCD, IdDocumentType.CMND12):
        number = c.run("id_document.number", v.clean_digits, doc.get("number"), length=12)
        if val.get("personal_id") is None and data.get("personal_id") in (None, ""):
            c.add("personal_id", "required", _("The personal ID number is required with this ID document."))
        elif number and val.get("personal_id") and number != val["personal_id"]:
            c.add(
                "id_document.number",
                "id_number_mismatch",
                _("The number of the ID card must be the personal ID number."),
            )
    elif id_type == IdDocumentType.CMND9:
        number = c.run("id_document.number", v.clean_digits, doc.get("number"), length=9)
    elif id_type == IdDocumentType.PASSPORT:
        number = c.run("id_document.number", v.clean_passport, doc.get("number"))
        if (data.get("nationality") or "VN") == "VN":
            c.add(
                "id_document.type",
                "passport_for_foreigners",
                _("A Vietnamese citizen registers with a CCCD or CMND; a passport is for foreigners."),
            )
    val["id_number"] = number or ""
    val["id_issued_on"] = c.run("id_document.issued_on", v.clean_date, doc.get("issued_on"), not_before=dob)
    val["id_issued_by"] = c.run("id_document.issued_by", v.clean_text, doc.get("issued_by"), max_length=200) or ""


def _clean_birth_certificate(c: _Collector, data: dict, val: dict, dob: date | None) -> None:
    cert = _object(c, data, "birth_certificate", required=True)
    if not cert:
        return
    _unknown(c, cert, {"number", "issued_on", "issued_by"}, "birth_certificate.")
    val["birth_certificate_number"] = (
        c.run("birth_certificate.number", v.clean_text, cert.get("number"), max_length=40) or ""
    )
    val["birth_certificate_issued_on"] = c.run(
        "birth_certificate.issued_on", v.clean_date, cert.get("issued_on"), not_before=dob
    )
    val["birth_certificate_issued_by"] = (
        c.run("birth_certificate.issued_by", v.clean_text, cert.get("issued_by"), max_length=200) or ""
    )


def _clean_guardian(c: _Collector, data: dict, val: dict) -> None:
    guardian = _object(c, data, "guardian", required=True)
    _unknown(c, guardian, {"full_name", "relationship", "personal_id", "phone"}, "guardian.")
    if guardian:
        val["guardian_full_name"] = c.run("guardian.full_name", v.clean_name, guardian.get("full_name")) or ""
        val["guardian_relationship"] = (
            c.run("guardian.relationship", v.clean_choice, guardian.get("relationship"), Relationship.values) or ""
        )
        guardian_id = c.run("guardian.personal_id", v.clean_personal_id, guardian.get("personal_id"))
        if guardian_id:
            if v.today().year - v.birth_year_of(guardian_id) < 18:
                c.add(
                    "guardian.personal_id",
                    "guardian_not_adult",
                    _("By this personal ID the parent or guardian is not an adult."),
                )
            elif guardian_id == val.get("personal_id"):
                c.add(
                    "guardian.personal_id", "same_as_child", _("The guardian's personal ID is the same as the child's.")
                )
        val["guardian_personal_id"] = guardian_id or ""
    # The phone is the guardian's: given as `phone`, as `guardian.phone`, or both (then they must agree).
    phone_raw, guardian_phone_raw = data.get("phone"), guardian.get("phone")
    phone = c.run("phone", v.clean_phone, phone_raw) if phone_raw not in (None, "") else None
    guardian_phone = (
        c.run("guardian.phone", v.clean_phone, guardian_phone_raw) if guardian_phone_raw not in (None, "") else None
    )
    if phone_raw in (None, "") and guardian_phone_raw in (None, ""):
        c.add("guardian.phone", "required", _("The parent's or guardian's mobile number is required."))
    val["phone"] = phone or guardian_phone
    val["guardian_phone"] = guardian_phone or phone or ""


def _clean_address(c: _Collector, data: dict, val: dict) -> None:
    address = _object(c, data, "address", required=True)
    if not address:
        return
    _unknown(c, address, {"province_code", "ward_code", "street"}, "address.")
    province_code, ward_code = address.get("province_code"), address.get("ward_code")
    province = ward = None
    if province_code in (None, ""):
        c.add("address.province_code", "required", _("This field is required."))
    else:
        province = province_by_code(code=str(province_code).zfill(2))
        if province is None:
            c.add("address.province_code", "unknown_province", _("There is no province with this code."))
    if ward_code in (None, ""):
        c.add("address.ward_code", "required", _("This field is required."))
    else:
        ward = ward_by_code(code=str(ward_code).zfill(5))
        if ward is None:
            c.add("address.ward_code", "unknown_ward", _("There is no commune or ward with this code."))
        elif province is not None and ward.province_id != province.code:
            c.add("address.ward_code", "ward_not_in_province", _("This commune or ward is not in the province."))
    val["province"], val["ward"] = province, ward
    val["street"] = c.run("address.street", v.clean_text, address.get("street"), max_length=200, required=False) or ""


def component_table(category: str) -> dict[str, RequiredComponent]:
    """The required components of a category by kind (the per-process copy: no query)."""
    return {rc.kind: rc for rc in required_components(category=category)}


def _clean_photos(
    c: _Collector, files: dict[str, UploadedFile], out: CleanRegistration, category: str | None, id_type: str | None
) -> None:
    known = set(DocumentKind.values) - {DocumentKind.SIGNED_DECLARATION}
    for name in files:
        if name not in known:
            raise bad_request(
                name, "unknown_part", _("The request has a file part with an unknown name; use a document kind.")
            )
    if category is None:
        return
    components = component_table(category)
    budget = PixelBudget()  # the pixels all photos of this request may decode together
    for name, upload in files.items():
        if name not in ONLINE_KINDS[Category(category)] or name not in components:
            c.add(name, "not_for_category", _("This document is not part of this kind of registration."))
            continue
        if components[name].except_id_type and components[name].except_id_type == id_type:
            c.add(name, "not_for_id_type", _("This document is not needed with this ID document."))
            continue
        photo = c.run(name, image_clean, upload, min_short_side=components[name].min_short_side, budget=budget)
        if photo is not None:
            out.photos[name] = photo
