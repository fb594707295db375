"""The person's fields of a dossier, once: the model attribute of each, its path in the registration `data` (what
a correction and its audit event name), how it is typed, and whether the counter's correction form offers it."""

from dataclasses import dataclass

from django.db.models import TextChoices

from gddt.registrations.models import Category, Relationship, Sex


@dataclass(frozen=True)
class DossierField:
    attribute: str  # on the Dossier model
    path: str  # in the registration `data`, e.g. "address.street"
    input_type: str = "text"  # of the counter's correction form: text, date, select, digits, tel, email
    choices: type[TextChoices] | None = None  # the values of a select
    category: Category | None = None  # only dossiers of this category have it; None: every dossier
    on_counter_form: bool = True  # the counter's page offers it (the API corrects every field)


_ADULT, _MINOR = Category.WITH_ID_CARD, Category.MINOR_WITHOUT_ID_CARD

# In the order of the form, which is also the order a correction's audit event names them in.
FIELDS: tuple[DossierField, ...] = (
    DossierField("full_name", "full_name"),
    DossierField("date_of_birth", "date_of_birth", "date"),
    DossierField("sex", "sex", "select", Sex),
    DossierField("nationality", "nationality", on_counter_form=False),
    DossierField("personal_id", "personal_id", "digits"),
    DossierField("bhxh_code", "bhxh_code", "digits"),
    DossierField("id_type", "id_document.type", category=_ADULT, on_counter_form=False),
    DossierField("id_number", "id_document.number", category=_ADULT),
    DossierField("id_issued_on", "id_document.issued_on", "date", category=_ADULT),
    DossierField("id_issued_by", "id_document.issued_by", category=_ADULT),
    DossierField("birth_certificate_number", "birth_certificate.number", category=_MINOR),
    DossierField("birth_certificate_issued_on", "birth_certificate.issued_on", "date", category=_MINOR),
    DossierField("birth_certificate_issued_by", "birth_certificate.issued_by", category=_MINOR),
    DossierField("guardian_full_name", "guardian.full_name", category=_MINOR),
    DossierField("guardian_relationship", "guardian.relationship", "select", Relationship, category=_MINOR),
    DossierField("guardian_personal_id", "guardian.personal_id", "digits", category=_MINOR),
    DossierField("guardian_phone", "guardian.phone", "tel", category=_MINOR),
    DossierField("phone", "phone", "tel"),
    DossierField("email", "email", "email"),
    DossierField("province", "address.province_code", on_counter_form=False),
    DossierField("ward", "address.ward_code", on_counter_form=False),
    DossierField("street", "address.street"),
)

# Model attribute -> the path of the same value in the registration `data`.
FIELD_PATHS: dict[str, str] = {f.attribute: f.path for f in FIELDS}


def counter_form_fields(category: str) -> list[DossierField]:
    """The fields the counter's correction form offers for a dossier of `category`, in the form's order."""
    return [f for f in FIELDS if f.on_counter_form and f.category in (None, category)]
