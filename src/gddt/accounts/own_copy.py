"""A citizen's own copy of everything held about them (product.md rule 16, `GET /api/v1/me/data`, the download on
"my account"): the data of each dossier of the account, the consent record, the documents with their provenance and
images, the transitions, and who looked at the dossier and when, by office (never the officer's name). Every copy
and every image handed out is an audit event on the dossier.

The citizen reaches only the dossiers of their own account: a document is found through the account, so another
person's document is a 404 whatever its id."""

import io
import json
import logging
import zipfile
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gddt.accounts.auth import citizen_audit_target
from gddt.accounts.models import User
from gddt.audit.models import AuditEvent
from gddt.audit.services import audit_record
from gddt.consents.reference import consent_text_by_pk
from gddt.consents.selectors import consent_record, consent_text_answer
from gddt.core.errors import Problem, not_found
from gddt.counter.selectors import dossier_registration_data
from gddt.registrations.models import Document, Dossier, Transition
from gddt.registrations.numbers import dossier_number_format

logger = logging.getLogger(__name__)
COPY_FORMAT = "gddt-own-copy/1"


def _own_dossiers(user: User) -> QuerySet[Dossier]:
    return (
        Dossier.objects.filter(account=user)
        .select_related("office", "completed_office", "province", "ward")
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=Document.objects.select_related("supplied_at_office").order_by("supplied_at", "id"),
            ),
            Prefetch("transitions", queryset=Transition.objects.select_related("office").order_by("at", "id")),
        )
        .order_by("submitted_at", "pk")
    )


def _office(office: Any) -> dict[str, str] | None:
    return {"code": office.code, "name": office.name} if office is not None else None


def _person_data(d: Dossier) -> dict[str, Any]:
    """The data in the shape of the registration (the counter's own reading of it), with the names of the
    province and ward beside their codes."""
    data = dossier_registration_data(d)
    data["email"] = d.email or None
    data["address"] = {**data["address"], "province_name": d.province.name, "ward_name": d.ward.name}
    return data


def _consent(d: Dossier) -> dict[str, Any]:
    record = consent_record(d)
    text = consent_text_by_pk(pk=d.consent_text_id)
    return {**record, "text": consent_text_answer(text) if text else None}


def _document(doc: Document, locate: Callable[[Document], dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": doc.pk,
        "kind": doc.kind,
        "source": doc.source,
        # Which office supplied it at the counter, never which officer.
        "supplied_at_office": _office(doc.supplied_at_office),
        "supplied_at": doc.supplied_at,
        "replaced_at": doc.replaced_at,
        "sha256": doc.sha256,
        "content_type": doc.content_type,
        "width": doc.width,
        "height": doc.height,
        "size": doc.size,
        **locate(doc),
    }


def _transition(t: Transition) -> dict[str, Any]:
    return {
        "action": t.action,
        "from_status": t.from_status or None,
        "to_status": t.to_status,
        "office": _office(t.office),
        "at": t.at,
        "reason": t.reason or None,
        "note": t.note or None,
    }


def _looks(dossier_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Every recorded look at and action on the dossiers, by office: time, action and office, nothing of the
    officer (no name, no address) and nothing of the event's detail (a search names other dossiers)."""
    looks: dict[int, list[dict[str, Any]]] = {pk: [] for pk in dossier_ids}
    events = AuditEvent.objects.filter(dossier_id__in=dossier_ids).select_related("office").order_by("at", "id")
    for event in events:
        assert event.dossier_id is not None
        looks[event.dossier_id].append({"at": event.at, "action": event.action, "office": _office(event.office)})
    return looks


def _copy(user: User, dossiers: list[Dossier], locate: Callable[[Document], dict[str, Any]]) -> dict[str, Any]:
    looks = _looks([d.pk for d in dossiers])
    return {
        "format": COPY_FORMAT,
        "made_at": timezone.now(),
        "account": {
            "username": user.username,
            "full_name": user.get_full_name(),
            "phone": user.phone or None,
            "created_at": user.date_joined,
            "last_sign_in": user.last_login,
        },
        "dossiers": [
            {
                "dossier_no": dossier_number_format(d.number or ""),
                "status": d.status,
                "office": _office(d.office),
                "completed_office": _office(d.completed_office),
                "submitted_at": d.submitted_at,
                "expires_at": d.expires_at,
                "verified_at": d.verified_at,
                "approved_at": d.approved_at,
                "rejected_at": d.rejected_at,
                "reject_reason": d.reject_reason or None,
                "purged_at": d.purged_at,
                "data": _person_data(d),
                "consent": _consent(d),
                "documents": [_document(doc, locate) for doc in d.documents.all()],
                "transitions": [_transition(t) for t in d.transitions.all()],
                "looked_at": looks[d.pk],
            }
            for d in dossiers
        ],
    }


# The citizen is not named as the actor: their username is the personal ID, which the log keeps only hashed.
def _audit_copy(*, user: User, dossiers: list[Dossier], client_ip: str | None, form: str) -> None:
    with transaction.atomic():
        for dossier in dossiers:
            audit_record(
                action="citizen.copy",
                dossier=dossier,
                client_ip=client_ip,
                target=citizen_audit_target(user.username),
                detail={"form": form},
            )


def citizen_copy(*, user: User, client_ip: str | None, document_url: Callable[[int], str]) -> dict[str, Any]:
    """The copy as JSON data: each document carries `url`, where the citizen downloads its image (`document_url`
    of its id). Audited on each dossier."""
    dossiers = list(_own_dossiers(user))
    copy = _copy(user, dossiers, lambda doc: {"url": document_url(doc.pk)})
    _audit_copy(user=user, dossiers=dossiers, client_ip=client_ip, form="json")
    return copy


def _read(doc: Document) -> bytes | None:
    """The stored image, or None when it is no longer held (purged) or cannot be read (the copy says so)."""
    if not doc.file.name:
        return None
    try:
        with default_storage.open(doc.file.name, "rb") as handle:
            return bytes(handle.read())
    except (OSError, Problem):
        logger.warning("own copy: document %s could not be read", doc.pk)
        return None


def citizen_copy_zip(*, user: User, client_ip: str | None) -> bytes:
    """The copy as one zip file: `data.json` (the JSON copy, each document naming its `file`) and the images under
    `documents/`, each checkable against its `sha256`. Audited on each dossier."""
    dossiers = list(_own_dossiers(user))
    images: dict[str, bytes] = {}

    def locate(doc: Document) -> dict[str, Any]:
        content = _read(doc)
        if content is None:
            return {"file": None}
        name = f"documents/{doc.pk}-{doc.kind}.jpg"
        images[name] = content
        return {"file": name}

    copy = _copy(user, dossiers, locate)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        text = json.dumps(copy, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        archive.writestr("data.json", text.encode())
        for name, content in images.items():
            archive.writestr(name, content, compress_type=zipfile.ZIP_STORED)  # JPEGs do not compress
    _audit_copy(user=user, dossiers=dossiers, client_ip=client_ip, form="zip")
    return out.getvalue()


def citizen_document(*, user: User, document_id: int, client_ip: str | None) -> tuple[bytes, str, Document]:
    """The image of one document of the citizen's own dossiers; 404 for any other (someone else's, or unknown).
    Audited on its dossier."""
    if not 0 < document_id < 2**63:  # beyond the column's range: no such document, and never a database error
        raise not_found(_("You have no document with this number."))
    doc = Document.objects.select_related("dossier").filter(pk=document_id, dossier__account=user).first()
    if doc is None:
        raise not_found(_("You have no document with this number."))
    content = _read(doc)
    if content is None:
        raise not_found(_("This document is no longer held."))
    with transaction.atomic():
        audit_record(
            action="citizen.document",
            dossier=doc.dossier,
            target=citizen_audit_target(user.username),
            client_ip=client_ip,
            detail={"kind": doc.kind},
        )
    return content, doc.content_type, doc


def copy_filename(*, at: datetime | None = None, extension: str) -> str:
    """A file name without personal data: the service and the day."""
    return f"gddt-du-lieu-cua-toi-{timezone.localtime(at or timezone.now()):%Y%m%d}.{extension}"
