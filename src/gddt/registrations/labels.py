"""The label of every field of a registration, by its path in the registration `data` (the one table: the
citizen's form, its error summary and the counter's pages all read it)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gddt.registrations.models import DocumentKind

# Labels name their field outside its group too (the error summary, the counter's correction list), so a
# field of a group says which group it belongs to.
FIELD_LABELS: dict[str, str | Promise] = {
    "category": _("Who is registering"),
    "full_name": _("Full name"),
    "date_of_birth": _("Date of birth"),
    "sex": _("Sex"),
    "nationality": _("Nationality"),
    "personal_id": _("Personal ID number"),
    "bhxh_code": _("Social insurance number"),
    "id_document": _("Identity document"),
    "id_document.type": _("ID document type"),
    "id_document.number": _("ID document number"),
    "id_document.issued_on": _("ID document issued on"),
    "id_document.issued_by": _("ID document issued by"),
    "phone": _("Mobile phone number"),
    "birth_certificate.number": _("Birth certificate number"),
    "birth_certificate.issued_on": _("Date of registration"),
    "birth_certificate.issued_by": _("Registered by"),
    "guardian": _("Parent or guardian"),
    "guardian.full_name": _("Full name of the parent or guardian"),
    "guardian.relationship": _("Relationship to the child"),
    "guardian.personal_id": _("Personal ID number of the parent or guardian"),
    "guardian.phone": _("Mobile phone number of the parent or guardian"),
    "email": _("Email"),
    "address": _("Contact address"),
    "address.province_code": _("Province or city"),
    "address.ward_code": _("Commune or ward"),
    "address.street": _("House number, street, hamlet"),
    "office_code": _("Office where you will complete the registration"),
    "consent": _("Consent"),
    "child_consent": _("The child's own agreement"),
    "consent_version": _("Version of the consent text"),
    **{str(kind): kind.label for kind in DocumentKind},  # a document is named by its kind
}
