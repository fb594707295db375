"""Reads of the counter: finding dossiers (nationwide by exact reference, or browsing one's own subtree), who may
do what, and the dossier as the API shows it. Every read of personal data is audited (product.md rule 12)."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gddt.accounts.models import Role, User, UserKind
from gddt.accounts.selectors import offices_with_role, role_assignments_active
from gddt.audit.models import AuditEvent
from gddt.audit.services import officer_audit
from gddt.consents.selectors import consent_record
from gddt.core.errors import FieldError, Problem, forbidden, invalid, not_found
from gddt.offices.models import Office
from gddt.registrations import validators as v
from gddt.registrations.models import Category, Document, Dossier, Status, Transition
from gddt.registrations.numbers import (
    QR_PREFIX,
    dossier_number_format,
    dossier_number_is_valid,
    dossier_number_normalize,
)
from gddt.registrations.selectors import missing_documents
from gddt.registrations.states import allowed_actions

# The roles each counter action needs (the one table; dossier_for_officer and the allowed actions read it).
# A director assigns roles and reads reports: opening a dossier, its photos or its declaration (personal data)
# needs a counter role too.
ACTION_ROLES: dict[str, set[str]] = {
    "view": {Role.VERIFIER, Role.APPROVER, Role.ADMIN},
    "print": {Role.VERIFIER, Role.APPROVER, Role.ADMIN},
    "edit": {Role.VERIFIER},
    "verify": {Role.VERIFIER},
    "reject": {Role.VERIFIER, Role.APPROVER},
    "reopen": {Role.VERIFIER},
    "approve": {Role.APPROVER},
    "account": {Role.VERIFIER, Role.APPROVER},  # re-issue the citizen's initial password, unlock the account
}
# Rule 4/5: these roles reach any dossier by its exact reference; the others only within their subtree.
NATIONWIDE_ROLES = {Role.VERIFIER, Role.APPROVER}
SEARCH_ROLES = {Role.VERIFIER, Role.APPROVER, Role.ADMIN}
BROWSE_ROLES = {Role.VERIFIER, Role.APPROVER, Role.DIRECTOR, Role.ADMIN}

# A dossier number as it is printed (26-0001234-5) or scanned: shaped so, it cannot be another reference.
_FORMATTED_NUMBER = re.compile(r"^\d{2}[\s\-./]+\d{7,13}[\s\-./]+\d$")
_SEPARATORS = re.compile(r"[\s\-./]")


def officer_roles(officer: User) -> set[str]:
    if officer.kind != UserKind.OFFICER or not officer.is_active:
        return set()
    return {a.role for a in role_assignments_active(officer)}


def _subtree_q(officer: User, roles: set[str]) -> Q:
    """Dossiers whose chosen or completing office lies in one of the officer's subtrees for `roles`."""
    query = Q(pk__in=[])
    for top in offices_with_role(officer, roles):
        query |= Q(office__path__startswith=top.path) | Q(completed_office__path__startswith=top.path)
    return query


def dossier_queryset() -> QuerySet[Dossier]:
    """A dossier with everything the counter shows: offices, address, people, current documents, transitions."""
    return Dossier.objects.select_related(
        "office",
        "completed_office",
        "province",
        "ward",
        "verified_by",
        "approved_by",
        "account",
    ).prefetch_related(
        Prefetch(
            "documents",
            queryset=Document.objects.select_related("supplied_by", "supplied_at_office").order_by(
                "kind", "-supplied_at", "-id"
            ),
        ),
        Prefetch("transitions", queryset=Transition.objects.select_related("actor", "office").order_by("at", "id")),
    )


def dossier_reachable(*, officer: User, dossier: Dossier, roles: set[str] | None = None) -> bool:
    """Rule 5: a verifier or approver reaches any dossier by its exact number; a director or administrator
    only those whose chosen or completing office lies in their subtree."""
    roles = roles if roles is not None else officer_roles(officer)
    if roles & NATIONWIDE_ROLES:
        return True
    for top in offices_with_role(officer, roles & {Role.DIRECTOR, Role.ADMIN}):
        if dossier.office.path.startswith(top.path):
            return True
        if dossier.completed_office is not None and dossier.completed_office.path.startswith(top.path):
            return True
    return False


def dossier_allowed_actions(*, officer: User, dossier: Dossier) -> list[str]:
    """The transitions the state table allows now that the officer holds the role for; "approve" is left out
    when separation of duties forbids it to this officer (rule 7)."""
    roles = officer_roles(officer)
    actions = []
    for action in allowed_actions(dossier.status):
        if not roles & ACTION_ROLES.get(action, set()):
            continue
        if action == "approve" and approval_forbidden_to(officer=officer, dossier=dossier):
            continue
        actions.append(action)
    return actions


def dossier_verifiers(dossier: Dossier) -> set[int]:
    """The officers who ever verified the dossier, a voided verification included (from its transitions)."""
    return {t.actor_id for t in dossier.transitions.all() if t.action == "verify" and t.actor_id is not None}


def dossier_officers_involved(dossier: Dossier) -> set[int]:
    """Rule 7: the officers who verified the dossier or changed its data or documents since it was submitted: the
    verifiers of its transitions, the suppliers of its documents (replaced ones included) and the correctors that
    its audit events name. Read from the records themselves, so that no path of change can be left out."""
    suppliers = {d.supplied_by_id for d in dossier.documents.all() if d.supplied_by_id is not None}
    correctors = set(
        AuditEvent.objects.filter(dossier=dossier, action="dossier.correct", actor__isnull=False).values_list(
            "actor_id", flat=True
        )
    )
    return dossier_verifiers(dossier) | suppliers | {pk for pk in correctors if pk is not None}


def approval_forbidden_to(*, officer: User, dossier: Dossier) -> bool:
    """Rule 7: while the completing office separates duties (the default), an officer who verified the dossier or
    changed its data or documents since submission may not approve it."""
    office = dossier.completed_office or officer.office
    if office is not None and not office.separation_of_duties:
        return False
    return officer.pk in dossier_officers_involved(dossier)


# --- search and browse ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reference:
    kinds: list[str]  # what the text may be: dossier_no, personal_id, bhxh_code, phone
    query: Q
    mistyped_number: bool  # shaped like a dossier number, but its check digit is wrong
    only_a_number: bool  # cannot be anything but a dossier number


def _mistyped() -> Problem:
    message = _("This dossier number is mistyped: its check digit does not match. Check the digits again.")
    return Problem(422, message, "mistyped_dossier_no", [FieldError("q", "mistyped_dossier_no", message)])


def _reference_parse(q: str) -> _Reference:
    text = q.strip()
    if not text:
        raise invalid(
            [FieldError("q", "required", _("Type a dossier number, personal ID, insurance number or phone number."))]
        )
    strong_number = text.upper().startswith(QR_PREFIX) or bool(_FORMATTED_NUMBER.match(text))
    digits = _SEPARATORS.sub("", text[len(QR_PREFIX) :] if text.upper().startswith(QR_PREFIX) else text)
    kinds: list[str] = []
    query = Q(pk__in=[])
    number = dossier_number_normalize(text)
    mistyped = False
    if number is not None:
        if dossier_number_is_valid(number):
            kinds.append("dossier_no")
            query |= Q(number=number)
        else:
            mistyped = True
    if not strong_number:
        phone = _phone(text)
        if phone is not None:
            kinds.append("phone")
            query |= Q(phone=phone) | Q(guardian_phone=phone)
        if digits.isascii() and digits.isdigit():
            if len(digits) == 12 and _personal_id(digits):
                kinds.append("personal_id")
                query |= Q(personal_id=digits)
            if len(digits) == 10:
                kinds.append("bhxh_code")
                query |= Q(bhxh_code=digits)
    if not kinds and not mistyped:
        raise invalid(
            [
                FieldError(
                    "q",
                    "unknown_reference",
                    _(
                        "This is not a dossier number, a 12-digit personal ID, a 10-digit insurance number or a "
                        "Vietnamese mobile number."
                    ),
                )
            ]
        )
    only_a_number = strong_number or (mistyped and not kinds)
    return _Reference(kinds=kinds, query=query, mistyped_number=mistyped, only_a_number=only_a_number)


def _phone(text: str) -> str | None:
    if not (text.startswith(("0", "+84", "84"))):
        return None
    try:
        return v.clean_phone(text.replace(" ", "").replace(".", "").replace("-", ""))
    except v.Invalid:
        return None


def _personal_id(digits: str) -> bool:
    try:
        v.clean_personal_id(digits)
    except v.Invalid:
        return False
    return True


def dossier_search(*, officer: User, q: str, client_ip: str | None = None) -> list[Dossier]:
    """The exact look-up of rule 3/4, nationwide: by dossier number (with or without separators, or the QR
    payload), personal ID, insurance number or phone. Newest first."""
    roles = officer_roles(officer)
    if not roles & SEARCH_ROLES:
        raise forbidden("no_role", _("Searching dossiers needs the role of receiving or approving officer."))
    reference = _reference_parse(q)
    if reference.only_a_number and reference.mistyped_number:
        raise _mistyped()
    # Two steps: the bare OR of indexed columns is a union of index searches, whereas joined to everything the
    # page shows (or with ORDER BY ... LIMIT) the planner may scan the whole table. The few hits sort here.
    ids = list(Dossier.objects.filter(reference.query).values_list("pk", flat=True)[:50])
    # Hits become summary rows (as in browsing): their offices are all they need, not the whole dossier page.
    hits = sorted(
        Dossier.objects.select_related("office", "completed_office").filter(pk__in=ids),
        key=lambda d: (d.submitted_at, d.pk),
        reverse=True,
    )
    if not hits and reference.mistyped_number and reference.kinds == ["bhxh_code"]:
        # Ten digits that no insurance number matches and whose check digit is wrong: a mistyped dossier number.
        message = _(
            "No dossier has this insurance number, and as a dossier number it is mistyped: its check "
            "digit does not match. Check the digits again."
        )
        raise Problem(422, message, "mistyped_dossier_no", [FieldError("q", "mistyped_dossier_no", message)])
    with transaction.atomic():
        officer_audit(
            "dossier.search",
            officer=officer,
            client_ip=client_ip,
            dossier=hits[0] if len(hits) == 1 else None,
            detail={
                "kinds": reference.kinds,
                "hits": len(hits),
                "dossier_nos": [dossier_number_format(d.number or "") for d in hits],
            },
        )
    return hits


def dossier_browse(
    *, officer: User, status: str | None = None, office_code: str | None = None, client_ip: str | None = None
) -> QuerySet[Dossier]:
    """The queue of the officer's own subtrees (rule 5), newest first; `office_code` narrows it to that
    office's subtree (404 outside reach). Audited as "dossier.browse"."""
    roles = officer_roles(officer)
    if not roles & BROWSE_ROLES:
        raise forbidden("no_role", _("You hold no role in any office. Ask your director to assign one."))
    queryset = Dossier.objects.select_related("office", "completed_office").filter(_subtree_q(officer, roles))
    if status not in (None, ""):
        if status not in Status.values:
            raise invalid(
                [
                    FieldError(
                        "status",
                        "invalid_choice",
                        _("Choose one of: %(choices)s.") % {"choices": ", ".join(Status.values)},
                    )
                ]
            )
        queryset = queryset.filter(status=status)
    if office_code not in (None, ""):
        office = Office.objects.filter(code=office_code).first()
        tops = offices_with_role(officer, roles & BROWSE_ROLES)
        if office is None or not any(office.path.startswith(top.path) for top in tops):
            raise not_found(_("There is no office with this code within your offices."))
        queryset = queryset.filter(
            Q(office__path__startswith=office.path) | Q(completed_office__path__startswith=office.path)
        )
    with transaction.atomic():
        officer_audit(
            "dossier.browse",
            officer=officer,
            client_ip=client_ip,
            detail={"status": status or "", "office": office_code or ""},
        )
    return queryset.order_by("-submitted_at", "-pk")


def dossier_age_days(dossier: Dossier, *, now: datetime | None = None) -> int:
    return max(0, ((now or timezone.now()) - dossier.submitted_at).days)


def dossier_summary(dossier: Dossier, *, now: datetime | None = None) -> dict[str, Any]:
    return {
        "dossier_no": dossier_number_format(dossier.number or ""),
        "full_name": dossier.full_name,
        "status": dossier.status,
        "category": dossier.category,
        "office_code": dossier.office.code,
        "completed_office_code": dossier.completed_office.code if dossier.completed_office else None,
        "submitted_at": dossier.submitted_at,
        "age_days": dossier_age_days(dossier, now=now),
    }


# --- the dossier as the API shows it --------------------------------------------------------------------------


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def dossier_registration_data(dossier: Dossier) -> dict[str, Any]:
    """The dossier's data in the shape of the registration `data` of product.md (codes only), so that a
    correction is checked exactly as a registration is."""
    data: dict[str, Any] = {
        "category": dossier.category,
        "full_name": dossier.full_name,
        "date_of_birth": _iso(dossier.date_of_birth),
        "sex": dossier.sex,
        "nationality": dossier.nationality,
        "personal_id": dossier.personal_id or None,
        "bhxh_code": dossier.bhxh_code or None,
        "phone": dossier.phone,
        "email": dossier.email,
        "address": {"province_code": dossier.province_id, "ward_code": dossier.ward_id, "street": dossier.street},
    }
    if dossier.category == Category.WITH_ID_CARD:
        data["id_document"] = {
            "type": dossier.id_type,
            "number": dossier.id_number,
            "issued_on": _iso(dossier.id_issued_on),
            "issued_by": dossier.id_issued_by,
        }
    else:
        data["birth_certificate"] = {
            "number": dossier.birth_certificate_number,
            "issued_on": _iso(dossier.birth_certificate_issued_on),
            "issued_by": dossier.birth_certificate_issued_by,
        }
        data["guardian"] = {
            "full_name": dossier.guardian_full_name,
            "relationship": dossier.guardian_relationship,
            "personal_id": dossier.guardian_personal_id or None,
            "phone": dossier.guardian_phone or None,
        }
    return data


def document_url(dossier: Dossier, kind: str) -> str:
    return reverse(
        "api:counter_document_get", kwargs={"dossier_no": dossier_number_format(dossier.number or ""), "kind": kind}
    )


def dossier_detail(*, officer: User, dossier: Dossier) -> dict[str, Any]:
    """Everything the counter shows of a dossier (call dossier_view first: it records the look)."""
    data = dossier_registration_data(dossier)
    data.setdefault("id_document", None)
    data.setdefault("birth_certificate", None)
    data.setdefault("guardian", None)
    data["address"].update(province_name=dossier.province.name, ward_name=dossier.ward.name)
    current = [d for d in dossier.documents.all() if d.replaced_at is None]
    return {
        "dossier_no": dossier_number_format(dossier.number or ""),
        "status": dossier.status,
        "version": dossier.version,
        **data,
        "office_code": dossier.office.code,
        "office_name": dossier.office.name,
        "completed_office_code": dossier.completed_office.code if dossier.completed_office else None,
        "submitted_at": dossier.submitted_at,
        "expires_at": dossier.expires_at,
        "verified_at": dossier.verified_at,
        "verified_by": dossier.verified_by.username if dossier.verified_by else None,
        "approved_at": dossier.approved_at,
        "approved_by": dossier.approved_by.username if dossier.approved_by else None,
        "rejected_at": dossier.rejected_at,
        "reject_reason": dossier.reject_reason or None,
        "missing_documents": missing_documents(dossier),
        "allowed_actions": dossier_allowed_actions(officer=officer, dossier=dossier),
        "documents": [document_row(dossier, d) for d in current],
        "transitions": [transition_row(t) for t in dossier.transitions.all()],
        "consent": consent_record(dossier),
    }


def document_row(dossier: Dossier, d: Document) -> dict[str, Any]:
    return {
        "kind": d.kind,
        "source": d.source,
        "supplied_by": d.supplied_by.username if d.supplied_by else None,
        "supplied_at_office": d.supplied_at_office.code if d.supplied_at_office else None,
        "supplied_at": d.supplied_at,
        "sha256": d.sha256,
        "width": d.width,
        "height": d.height,
        "url": document_url(dossier, d.kind),
    }


def transition_row(t: Transition) -> dict[str, Any]:
    return {
        "action": t.action,
        "from_status": t.from_status or None,
        "to_status": t.to_status,
        "actor": t.actor.username if t.actor else None,
        "office_code": t.office.code if t.office else None,
        "at": t.at,
        "reason": t.reason or None,
        "note": t.note or None,
    }
