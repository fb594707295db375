"""Use cases of the counter (product.md rules 1-7, 11, 12): reach a dossier, look at it and its documents,
correct it, supplement photos, verify, approve, reject, reopen, print. Every look and every action writes an
audit event in the transaction of what it records; every change takes the dossier's row lock first."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from gddt.accounts.models import User
from gddt.accounts.services import citizen_account_activate
from gddt.archives.tasks import archive_queue
from gddt.audit.models import AuditEvent
from gddt.audit.selectors import audit_events_for_dossier
from gddt.audit.services import officer_audit
from gddt.core import idempotency
from gddt.core.encryption import StoredFileUnreadable
from gddt.core.errors import FieldError, Problem, conflict, forbidden, invalid, not_found
from gddt.counter.selectors import (
    ACTION_ROLES,
    approval_forbidden_to,
    dossier_queryset,
    dossier_reachable,
    dossier_registration_data,
    dossier_verifiers,
    officer_roles,
)
from gddt.notifications.services import sms_queue
from gddt.registrations import validators as v
from gddt.registrations.fields import FIELD_PATHS
from gddt.registrations.images import image_clean
from gddt.registrations.intake import component_table, person_data_clean
from gddt.registrations.models import (
    OPEN_OR_ACTIVE,
    Category,
    Document,
    DocumentKind,
    DocumentSource,
    Dossier,
    IdDocumentType,
)
from gddt.registrations.numbers import dossier_number_format, dossier_number_is_valid, dossier_number_normalize
from gddt.registrations.retention import dossier_purged_check
from gddt.registrations.selectors import missing_documents
from gddt.registrations.services import document_files_delete, document_store, dossier_transition
from gddt.registrations.states import EDIT, PRINT_DECLARATION, PRINT_GUIDE, edit_voids_verification, state_check

logger = logging.getLogger(__name__)

# Why an officer may refuse a dossier. Missing photos are never one (rule 1): the officer supplements them.
REJECT_REASONS: dict[str, Any] = {
    "identity_mismatch": _("The person is not who the dossier says"),
    "data_mismatch": _("The data differ from the original documents and cannot be corrected"),
    "forged_document": _("A document is forged"),
    "duplicate_dossier": _("A duplicate of another dossier"),
    "person_withdrew": _("The person withdrew the registration"),
    "other": _("Another reason (see the note)"),
}

_ROLE_MESSAGES: dict[str, Any] = {
    "view": _("Opening a dossier needs the role of receiving or approving officer."),
    "print": _("Printing needs the role of receiving or approving officer."),
    "edit": _("Only a receiving officer may correct a dossier or supplement its documents."),
    "verify": _("Only a receiving officer may verify a dossier."),
    "reject": _("Only a receiving or approving officer may reject a dossier."),
    "reopen": _("Only a receiving officer may reopen a dossier."),
    "approve": _("Only an approving officer may approve a dossier."),
    "account": _("Only a receiving or approving officer may re-issue or unlock the citizen's account."),
}

NOT_CORRECTABLE = ("category", "office_code", "consent")


@dataclass(frozen=True)
class Approval:
    dossier: Dossier
    username: str


# --- reaching a dossier --------------------------------------------------------------------------------------


def dossier_for_officer(*, officer: User, dossier_no: str, action: str) -> Dossier:
    """THE access function: 404 for an unknown or mistyped number and outside the officer's reach (rule 5),
    403 when the officer lacks the role the action needs. Does not audit: the callers do."""
    if action not in ACTION_ROLES:
        raise ValueError(f"unknown counter action {action!r}")
    number = dossier_number_normalize(dossier_no or "")
    absent = not_found(_("There is no dossier with this number."))
    if number is None or not dossier_number_is_valid(number):
        raise absent
    roles = officer_roles(officer)
    dossier = dossier_queryset().filter(number=number).first()
    if dossier is None or not dossier_reachable(officer=officer, dossier=dossier, roles=roles):
        raise absent
    if not roles & ACTION_ROLES[action]:
        raise forbidden("missing_role", _ROLE_MESSAGES[action])
    return dossier


def _locked(dossier: Dossier, expected_version: int | None) -> Dossier:
    """The dossier's row, locked until the transaction ends (so that of two officers exactly one acts), and
    re-read after the lock: every check below sees the latest committed state."""
    row = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if expected_version is not None and row.version != expected_version:
        raise Problem(
            412,
            _("The dossier has changed since you opened it. Reload it and try again."),
            "stale_version",
            extra={"version": row.version},
        )
    return row


def _audit(action: str, *, officer: User, dossier: Dossier, client_ip: str | None, **detail: Any) -> None:
    officer_audit(action, officer=officer, client_ip=client_ip, dossier=dossier, detail=detail)


def _text(field: str, value: object, *, max_length: int, required: bool = True) -> str:
    try:
        return v.clean_text(value, max_length=max_length, required=required)
    except v.Invalid as error:
        raise invalid([FieldError(field, error.code, error.message)]) from None


# --- looks ---------------------------------------------------------------------------------------------------


def dossier_view(*, officer: User, dossier: Dossier, client_ip: str | None) -> None:
    with transaction.atomic():
        _audit("dossier.view", officer=officer, dossier=dossier, client_ip=client_ip)


def document_read(*, officer: User, dossier: Dossier, kind: str, client_ip: str | None) -> tuple[bytes, str]:
    """The current document of `kind`, read from the private storage (never a public URL); 410 once purged."""
    dossier_purged_check(dossier=dossier)
    document = Document.objects.filter(dossier=dossier, kind=kind, replaced_at__isnull=True).first()
    if document is None:
        raise not_found(_("This dossier has no document of this kind."))
    try:
        with default_storage.open(document.file.name, "rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        # Purged between the look-up and the read: say so, rather than fail.
        dossier.refresh_from_db(fields=["purged_at"])
        dossier_purged_check(dossier=dossier)
        raise
    except StoredFileUnreadable as error:
        logger.error("document %s of dossier %s cannot be read: %s", kind, dossier.pk, error.reason)
        message = _(
            "The %(kind)s of dossier %(dossier_no)s cannot be read (stored file %(name)s: %(reason)s). Ask the "
            "operator to check the data key (GDDT_DATA_KEY) or to restore the file from a backup."
        ) % {
            "kind": kind,
            "dossier_no": dossier_number_format(dossier.number or ""),
            "name": error.name,
            "reason": error.reason,
        }
        raise Problem(500, message, "stored_file_unreadable") from None
    with transaction.atomic():
        _audit("document.view", officer=officer, dossier=dossier, client_ip=client_ip, kind=kind)
    return content, document.content_type


def declaration_render(*, officer: User, dossier: Dossier, client_ip: str | None) -> bytes:
    """The prefilled declaration with the QR code of the dossier number, to be signed at the counter."""
    from gddt.printing.declaration import declaration_pdf

    state_check(action=PRINT_DECLARATION, status=dossier.status)
    dossier_purged_check(dossier=dossier)
    pdf = declaration_pdf(dossier=dossier, printed_by_office=officer.office)
    with transaction.atomic():
        _audit("declaration.print", officer=officer, dossier=dossier, client_ip=client_ip)
    return pdf


def guide_render(*, officer: User, dossier: Dossier, client_ip: str | None) -> bytes:
    """The short VssID guide with the account's username (rule 6); only once the account is active."""
    from gddt.printing.guide import vssid_guide_pdf

    state_check(action=PRINT_GUIDE, status=dossier.status)
    dossier_purged_check(dossier=dossier)
    assert dossier.account is not None  # an approved dossier has its account: approval sets both at once
    pdf = vssid_guide_pdf(full_name=dossier.full_name, username=dossier.account.username, office=officer.office)
    with transaction.atomic():
        _audit("guide.print", officer=officer, dossier=dossier, client_ip=client_ip)
    return pdf


def dossier_history(*, officer: User, dossier: Dossier, client_ip: str | None) -> list[AuditEvent]:
    """The audit events of the dossier, oldest first (this look included)."""
    with transaction.atomic():
        _audit("history.view", officer=officer, dossier=dossier, client_ip=client_ip)
    return list(audit_events_for_dossier(dossier=dossier))


# --- corrections and documents -------------------------------------------------------------------------------


def _merge(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(current.get(key), dict):
            merged[key] = {**current[key], **value}
        else:
            merged[key] = value
    return merged


def _follow(changes: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Values that are one and the same follow each other: the CCCD number is the personal ID, and a
    minor's phone is the guardian's."""
    changes = dict(changes)
    document = current.get("id_document") or {}
    if (
        "personal_id" in changes
        and document.get("type") in (IdDocumentType.CCCD, IdDocumentType.CMND12)
        and document.get("number") == current.get("personal_id")
        and not (isinstance(changes.get("id_document"), dict) and "number" in changes["id_document"])
    ):
        given = changes.get("id_document")
        changes["id_document"] = {**(given if isinstance(given, dict) else {}), "number": changes["personal_id"]}
    guardian = current.get("guardian") or {}
    if current.get("category") == Category.MINOR_WITHOUT_ID_CARD and guardian.get("phone") == current.get("phone"):
        given_guardian = changes.get("guardian")
        guardian_phone_given = isinstance(given_guardian, dict) and "phone" in given_guardian
        if "phone" in changes and not guardian_phone_given:
            changes["guardian"] = {
                **(given_guardian if isinstance(given_guardian, dict) else {}),
                "phone": changes["phone"],
            }
        elif guardian_phone_given and "phone" not in changes:
            changes["phone"] = given_guardian["phone"]  # type: ignore[index]
    return changes


def _identity_conflict(field: str) -> Problem:
    message = _("Another open dossier or an active account already has this number.")
    return conflict("open_dossier_exists", message, [FieldError(field, "open_dossier_exists", message)])


def _identity_free_check(dossier: Dossier, *, personal_id: str | None, bhxh_code: str | None) -> None:
    others = Dossier.objects.filter(status__in=OPEN_OR_ACTIVE).exclude(pk=dossier.pk)
    if personal_id and others.filter(personal_id=personal_id).exists():
        raise _identity_conflict("personal_id")
    if bhxh_code and others.filter(bhxh_code=bhxh_code).exists():
        raise _identity_conflict("bhxh_code")


def _save(dossier: Dossier) -> None:
    """Saves; the database's one-open-dossier-per-person constraints turn a race into a 409."""
    try:
        with transaction.atomic():
            dossier.save()
    except IntegrityError:
        raise _identity_conflict("personal_id" if dossier.personal_id else "bhxh_code") from None


def _differs(old: object, new: object) -> bool:
    return (old or None) != (new or None)


def _verification_void(row: Dossier, *, officer: User, reason: str, note: str) -> None:
    """Rule 7: a verified dossier whose data or documents change goes back to submitted ("verification voided"),
    recorded with who, where and why; it must be verified again, and its approver chosen anew."""
    dossier_transition(
        dossier=row, action="void_verification", actor=officer, office=officer.office, reason=reason, note=note
    )
    row.verified_by, row.verified_at = None, None


def dossier_correct(
    *, officer: User, dossier: Dossier, changes: dict, reason: str, expected_version: int | None, client_ip: str | None
) -> Dossier:
    """Corrects the data as the originals show it, with the checks and cross-checks of a registration. The
    audit event names the fields, never their values."""
    errors = []
    if not isinstance(changes, dict) or not changes:
        errors.append(FieldError("changes", "required", _("Give at least one field to correct.")))
        changes = {}
    for name in NOT_CORRECTABLE:
        if name in changes:
            errors.append(FieldError(name, "not_correctable", _("This field cannot be corrected at the counter.")))
    try:
        reason = v.clean_text(reason, max_length=500)
    except v.Invalid as error:
        errors.append(
            FieldError(
                "reason",
                error.code,
                _("Say why the data are corrected.") if error.code == "required" else error.message,
            )
        )
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        row = _locked(dossier, expected_version)
        state_check(action=EDIT, status=row.status)
        current = dossier_registration_data(row)
        values = person_data_clean(
            data=_merge(current, _follow(changes, current)), on=timezone.localtime(row.submitted_at).date()
        )
        changed = [field for field in FIELD_PATHS if field in values and _differs(getattr(row, field), values[field])]
        if not changed:
            return row
        if "personal_id" in changed or "bhxh_code" in changed:
            _identity_free_check(row, personal_id=values.get("personal_id"), bhxh_code=values.get("bhxh_code"))
        for field in changed:
            setattr(row, field, values[field])
        paths = [FIELD_PATHS[field] for field in changed]
        if edit_voids_verification(status=row.status):
            _verification_void(row, officer=officer, reason="data_corrected", note=", ".join(paths))
        else:
            row.version += 1
        _save(row)
        _audit("dossier.correct", officer=officer, dossier=row, client_ip=client_ip, fields=paths, reason=reason)
    return row


def document_supplement(
    *,
    officer: User,
    dossier: Dossier,
    kind: str,
    upload: UploadedFile | bytes | None,
    expected_version: int | None,
    client_ip: str | None,
) -> Document:
    """Supplements or replaces one component at the counter (rule 1), with the photo rules of the online
    form; the replaced document stays, marked replaced. A refused file leaves nothing behind. On a verified
    dossier any document but the signed declaration voids the verification (rule 7)."""
    if kind not in DocumentKind.values:
        raise invalid([FieldError("kind", "unknown_kind", _("There is no document of this kind."))])
    component = component_table(dossier.category).get(kind)
    if component is None:
        raise invalid(
            [FieldError("kind", "not_for_category", _("This document is not part of this kind of registration."))]
        )
    if component.except_id_type and component.except_id_type == dossier.id_type:
        raise invalid([FieldError("kind", "not_for_id_type", _("This document is not needed with this ID document."))])
    if upload is None:
        raise invalid([FieldError("file", "required", _("Choose a photo or take one with the camera first."))])
    try:
        photo = image_clean(upload, min_short_side=component.min_short_side)
    except v.Invalid as error:
        raise invalid([FieldError("file", error.code, error.message)]) from None
    saved_names: list[str] = []
    try:
        with transaction.atomic():
            row = _locked(dossier, expected_version)
            state_check(action=EDIT, status=row.status)
            replaced = Document.objects.filter(dossier=row, kind=kind, replaced_at__isnull=True).exists()
            document = document_store(
                dossier=row,
                kind=kind,
                photo=photo,
                source=DocumentSource.COUNTER,
                officer=officer,
                office=officer.office,
                saved_names=saved_names,
            )
            if edit_voids_verification(status=row.status, document_kind=kind):
                _verification_void(row, officer=officer, reason="document_changed", note=kind)
            else:
                row.version += 1
            row.save(update_fields=["status", "version", "verified_by", "verified_at", "updated_at"])
            _audit(
                "document.supplement", officer=officer, dossier=row, client_ip=client_ip, kind=kind, replaced=replaced
            )
    except BaseException:
        document_files_delete(saved_names)
        raise
    return document


# --- transitions ---------------------------------------------------------------------------------------------


def dossier_verify(
    *, officer: User, dossier: Dossier, client_ip: str | None, expected_version: int | None = None
) -> Dossier:
    """The receiving officer has compared the person, the originals and the data: submitted -> verified.
    The office that does it is the completing office (rule 4)."""
    with transaction.atomic():
        row = _locked(dossier, expected_version)
        dossier_transition(dossier=row, action="verify", actor=officer, office=officer.office)
        row.verified_by, row.verified_at, row.completed_office = officer, timezone.now(), officer.office
        row.save()
        _audit("dossier.verify", officer=officer, dossier=row, client_ip=client_ip)
    return row


def dossier_approve(
    *, officer: User, dossier: Dossier, client_ip: str | None, expected_version: int | None = None
) -> Approval:
    """Approves a verified, complete dossier and activates the account (rules 2, 6, 7). Of two officers
    approving at once exactly one succeeds: the row lock serialises them and the second sees "approved"."""
    with transaction.atomic():
        row = _locked(dossier, expected_version)
        # Checked and recorded first; any refusal below rolls the transition back with the rest.
        dossier_transition(dossier=row, action="approve", actor=officer, office=officer.office)
        if approval_forbidden_to(officer=officer, dossier=row):
            raise forbidden(
                "separation_of_duties",
                _("You verified this dossier, so another officer must approve it.")
                if officer.pk in dossier_verifiers(row)
                else _("You changed this dossier's data or documents, so another officer must approve it."),
            )
        missing = missing_documents(row)
        if missing:
            labels = ", ".join(str(DocumentKind(kind).label) for kind in missing)
            raise conflict(
                "missing_documents",
                _("The dossier cannot be approved while a required document is missing: %(kinds)s.")
                % {"kinds": labels},
                [
                    FieldError(kind, "missing_document", _("This document is missing; supplement it first."))
                    for kind in missing
                ],
                missing_documents=missing,
            )
        user, password = citizen_account_activate(dossier=row)
        row.account, row.approved_by, row.approved_at = user, officer, timezone.now()
        row.completed_office = officer.office
        row.save()
        sms_queue(
            to=row.phone,
            template="approved",
            context={"username": user.username, "password": password},
            dossier_id=row.pk,
        )
        archive_queue(dossier_id=row.pk)  # the archived record, made by a worker; queued with the approval
        _audit("dossier.approve", officer=officer, dossier=row, client_ip=client_ip)
    return Approval(dossier=row, username=user.username)


def reject_reason_label(code: str, *, language: str = "vi") -> str:
    with translation.override(language):
        return str(REJECT_REASONS[code])


def dossier_reject(
    *,
    officer: User,
    dossier: Dossier,
    reason_code: str,
    note: str,
    client_ip: str | None,
    expected_version: int | None = None,
) -> Dossier:
    """Refuses a submitted or verified dossier for one of REJECT_REASONS, never for missing photos (rule 1)."""
    if reason_code == "missing_documents":
        raise invalid(
            [
                FieldError(
                    "reason_code",
                    "not_a_reason",
                    _("Missing photos are never a reason to reject a dossier: supplement them at the counter."),
                )
            ]
        )
    if reason_code not in REJECT_REASONS:
        raise invalid(
            [
                FieldError(
                    "reason_code",
                    "invalid_choice",
                    _("Choose one of: %(choices)s.") % {"choices": ", ".join(REJECT_REASONS)},
                )
            ]
        )
    note = _text("note", note, max_length=1000, required=reason_code == "other")
    with transaction.atomic():
        row = _locked(dossier, expected_version)
        dossier_transition(
            dossier=row, action="reject", actor=officer, office=officer.office, reason=reason_code, note=note
        )
        row.rejected_at, row.reject_reason = timezone.now(), reason_code
        row.save()
        sms_queue(
            to=row.phone,
            template="rejected",
            dossier_id=row.pk,
            context={"dossier_no": dossier_number_format(row.number or ""), "reason": reject_reason_label(reason_code)},
        )
        _audit("dossier.reject", officer=officer, dossier=row, client_ip=client_ip, reason_code=reason_code)
    return row


def dossier_reopen(
    *, officer: User, dossier: Dossier, note: str, client_ip: str | None, expected_version: int | None = None
) -> Dossier:
    """The person turned up after the deadline: expired -> submitted, with a new deadline and a reason."""
    note = _text("note", note, max_length=1000)
    with transaction.atomic():
        row = _locked(dossier, expected_version)
        dossier_purged_check(dossier=row)
        dossier_transition(dossier=row, action="reopen", actor=officer, office=officer.office, note=note)
        _identity_free_check(row, personal_id=row.personal_id, bhxh_code=row.bhxh_code)
        row.expires_at = timezone.now() + timedelta(days=settings.GDDT_DOSSIER_TTL_DAYS)
        row.reminder_sent_at = None
        _save(row)
        sms_queue(
            to=row.phone,
            template="reopened",
            dossier_id=row.pk,
            context={
                "dossier_no": dossier_number_format(row.number or ""),
                "deadline": timezone.localtime(row.expires_at).strftime("%d/%m/%Y"),
            },
        )
        _audit("dossier.reopen", officer=officer, dossier=row, client_ip=client_ip)
    return row


# --- exactly once --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]  # JSON-ready
    replayed: bool


def counter_action_once(
    *,
    officer: User,
    action: str,
    idempotency_key: str | None,
    request_parts: Any,
    run: Callable[[], tuple[int, dict[str, Any]]],
) -> Answer:
    """Runs `run` (an action and the rendering of its answer) once per Idempotency-Key (rule 11): a retry
    with the same key and request gets the first answer; the same key with another request is a 422. A
    refused action keeps nothing, the key included, so that it can be retried."""
    key = idempotency.idempotency_key_clean(idempotency_key)
    if key is None:
        status, body = run()
        return Answer(status, body, replayed=False)
    scope = f"counter:{action}:{officer.pk}"
    fingerprint = idempotency.idempotency_fingerprint(request_parts)
    stored = idempotency.idempotency_replay(scope=scope, key=key, fingerprint=fingerprint)
    if stored is not None:
        return Answer(stored["status"], stored["body"], replayed=True)
    with transaction.atomic():
        stored = idempotency.idempotency_claim(scope=scope, key=key, fingerprint=fingerprint)
        if stored is not None:  # a concurrent request with this key won; its answer is ours
            return Answer(stored["status"], stored["body"], replayed=True)
        status, body = run()
        idempotency.idempotency_store(
            scope=scope, key=key, status_code=status, response={"status": status, "body": body}
        )
    return Answer(status, body, replayed=False)
