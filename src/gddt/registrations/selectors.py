"""Reads of the citizen's dossier: what is still missing, the status look-up and the answer about a registration."""

from typing import Any

from django.db.models import Q

from gddt.registrations.models import Dossier
from gddt.registrations.numbers import dossier_number_format, dossier_number_is_valid, dossier_number_normalize
from gddt.registrations.reference import required_components


def missing_documents(dossier: Dossier, *, present: set[str] | None = None) -> list[str]:
    """Required kinds (RequiredComponent rows for the category, in their order) without a current document.
    `present`: the kinds of its current documents when the caller knows them (it just stored them), else read."""
    if present is None:
        present = {d.kind for d in dossier.documents.all() if d.replaced_at is None}
    return [
        rc.kind
        for rc in required_components(category=dossier.category)
        if rc.kind not in present and not (rc.except_id_type and rc.except_id_type == dossier.id_type)
    ]


def registration_receipt(dossier: Dossier, *, present: set[str] | None = None) -> dict[str, Any]:
    """The answer about a registration, JSON-ready: the 201 receipt (kept for an idempotent retry) and the
    heart of the status answer. `present` as for missing_documents."""
    return {
        "dossier_no": dossier_number_format(dossier.number or ""),
        "status": dossier.status,
        "category": dossier.category,
        "office_code": dossier.office.code,
        "missing_documents": missing_documents(dossier, present=present),
        "expires_at": dossier.expires_at.isoformat(),
    }


def registration_status_answer(dossier: Dossier) -> dict[str, Any]:
    """The status look-up's answer: the receipt and when it was submitted."""
    return {**registration_receipt(dossier), "submitted_at": dossier.submitted_at.isoformat()}


def registration_status(*, dossier_no: str, verify: str) -> Dossier | None:
    """The dossier when the number and the personal ID or insurance number belong together; else None, the
    same answer for a wrong number and a wrong pair, so that nothing can be enumerated."""
    number = dossier_number_normalize(dossier_no)
    verify = (verify or "").strip()
    if number is None or not dossier_number_is_valid(number) or not verify.isdigit():
        return None
    return (
        Dossier.objects.select_related("office")
        .filter(Q(personal_id=verify) | Q(bhxh_code=verify), number=number)
        .first()
    )
