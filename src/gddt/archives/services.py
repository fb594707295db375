"""The archived record of an approved dossier (issue 13): built once, by a job that the approval queues in its own
transaction, stored encrypted in the private document storage, and read back checked against its SHA-256.

Why a zip with a JSON manifest and not PDF/A-3 with attachments: a zip is simple to make and to check, any records
office opens it with the tools every computer has, and the manifest carries the SHA-256 of each part, so that each
part can be checked on its own. A conforming PDF/A-3 needs tooling the project lacks (colour profiles, XMP metadata,
a validator such as veraPDF); a PDF that only claims to be PDF/A would be worse than an honest zip.

The zip holds:
    manifest.json      format, dossier number, approval time, archive creation time, completing office; every other
                       part with its SHA-256 and size; each document's provenance (kind, source, supplied_by,
                       office, time, SHA-256)
    data.json          the dossier data as filled (the registration's shape of product.md), its dates and offices
    transitions.json   every change of state: what, who, where, when, why
    documents/         every current document (the signed declaration scan among them), <kind>.jpg
    documents/replaced/  every replaced one, <kind>-<n>.jpg, oldest first"""

import hashlib
import io
import json
import logging
import time
import zipfile
from datetime import datetime
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gddt.accounts.models import User
from gddt.archives.models import Archive
from gddt.audit.services import audit_record
from gddt.core.encryption import StoredFileUnreadable
from gddt.core.errors import Problem
from gddt.counter.selectors import dossier_registration_data, transition_row
from gddt.registrations.models import Document, DocumentKind, Dossier, Status, Transition
from gddt.registrations.numbers import dossier_number_format

logger = logging.getLogger(__name__)

FORMAT = "gddt-dossier-archive/1"
MANIFEST = "manifest.json"
# Photos are JPEG already (compressing them again gains nothing); the JSON parts shrink well.
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
# Each run of the sweep makes at most this many (the first run after an upgrade meets every approved dossier).
MISSING_BATCH = 200
SWEEP_PAUSE_SECONDS = 0.02


class ArchiveDamaged(Problem):
    """A stored archive that cannot be decrypted or whose bytes differ from the SHA-256 recorded when it was made.
    A Problem (500, `archive_damaged`) naming the dossier, so that a download shows a clear error, never a crash."""

    def __init__(self, dossier_no: str, reason: str) -> None:
        super().__init__(
            500,
            _(
                "The archive of dossier %(dossier_no)s is damaged (%(reason)s). Ask the operator to restore it "
                "from a backup; the dossier itself is unchanged."
            )
            % {"dossier_no": dossier_no, "reason": reason},
            "archive_damaged",
            extra={"dossier_no": dossier_no},
        )
        self.dossier_no = dossier_no
        self.reason = reason

    def __str__(self) -> str:
        return f"the archive of dossier {self.dossier_no} is damaged: {self.reason}"


class ArchiveNotMade(Exception):
    """A document of the dossier cannot be read, or differs from its recorded SHA-256: no archive is made (the job
    fails and the sweep tries again), rather than one that seals a damaged document."""

    def __init__(self, dossier_no: str, reason: str) -> None:
        super().__init__(f"the archive of dossier {dossier_no} cannot be made: {reason}")
        self.dossier_no = dossier_no
        self.reason = reason


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, sort_keys=True).encode() + b"\n"


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _dossier_for_archive(dossier_id: int) -> Dossier | None:
    return (
        Dossier.objects.select_related("office", "completed_office", "verified_by", "approved_by", "account")
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=Document.objects.select_related("supplied_by", "supplied_at_office").order_by(
                    "kind", "supplied_at", "id"
                ),
            ),
            Prefetch("transitions", queryset=Transition.objects.select_related("actor", "office").order_by("at", "id")),
        )
        .filter(pk=dossier_id)
        .first()
    )


def _data(dossier: Dossier) -> dict[str, Any]:
    """The data as filled, then corrected at the counter (the transitions say by whom), and what the office did."""
    return {
        "dossier_no": dossier_number_format(dossier.number or ""),
        "status": dossier.status,
        "registration": {**dossier_registration_data(dossier), "office_code": dossier.office.code},
        "consent_at": _iso(dossier.consent_at),
        "submitted_at": _iso(dossier.submitted_at),
        "verified_at": _iso(dossier.verified_at),
        "verified_by": dossier.verified_by.username if dossier.verified_by else None,
        "approved_at": _iso(dossier.approved_at),
        "approved_by": dossier.approved_by.username if dossier.approved_by else None,
        "completed_office": (
            {"code": dossier.completed_office.code, "name": dossier.completed_office.name}
            if dossier.completed_office
            else None
        ),
        "account_username": dossier.account.username if dossier.account else None,
    }


def _document_part(dossier_no: str, document: Document) -> bytes:
    try:
        with default_storage.open(document.file.name, "rb") as handle:
            content: bytes = handle.read()
    except (StoredFileUnreadable, OSError) as error:
        raise ArchiveNotMade(dossier_no, f"its {document.kind} document cannot be read ({error})") from None
    if _sha256(content) != document.sha256:
        raise ArchiveNotMade(dossier_no, f"its {document.kind} document differs from its recorded SHA-256")
    return content


def archive_zip(*, dossier: Dossier, created_at: datetime) -> bytes:
    """The archive of `dossier` (with its documents and transitions prefetched) as zip bytes: see the module."""
    dossier_no = dossier_number_format(dossier.number or "")
    parts: list[tuple[str, bytes]] = [
        ("data.json", _json_bytes(_data(dossier))),
        ("transitions.json", _json_bytes([transition_row(t) for t in dossier.transitions.all()])),
    ]
    documents: list[dict[str, Any]] = []
    replaced_seen: dict[str, int] = {}
    for document in dossier.documents.all():  # by kind, oldest first
        extension = _EXTENSIONS.get(document.content_type, "bin")
        if document.replaced_at is None:
            name = f"documents/{document.kind}.{extension}"
        else:
            replaced_seen[document.kind] = replaced_seen.get(document.kind, 0) + 1
            name = f"documents/replaced/{document.kind}-{replaced_seen[document.kind]}.{extension}"
        parts.append((name, _document_part(dossier_no, document)))
        documents.append(
            {
                "part": name,
                "kind": document.kind,
                "label": str(DocumentKind(document.kind).label) if document.kind in DocumentKind.values else "",
                "current": document.replaced_at is None,
                "source": document.source,
                "supplied_by": document.supplied_by.username if document.supplied_by else None,
                "office": document.supplied_at_office.code if document.supplied_at_office else None,
                "supplied_at": _iso(document.supplied_at),
                "replaced_at": _iso(document.replaced_at),
                "content_type": document.content_type,
                "width": document.width,
                "height": document.height,
                "sha256": document.sha256,
            }
        )
    signed = next((d["part"] for d in documents if d["kind"] == DocumentKind.SIGNED_DECLARATION and d["current"]), None)
    manifest = {
        "format": FORMAT,
        "dossier_no": dossier_no,
        "approved_at": _iso(dossier.approved_at),
        "archive_created_at": _iso(created_at),
        "completed_office": dossier.completed_office.code if dossier.completed_office else None,
        "signed_declaration": signed,
        "parts": [{"name": name, "sha256": _sha256(content), "size": len(content)} for name, content in parts],
        "documents": documents,
    }
    buffer = io.BytesIO()
    stamp = timezone.localtime(created_at).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in [(MANIFEST, _json_bytes(manifest)), *parts]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED if name.endswith(".json") else zipfile.ZIP_STORED
            info.external_attr = 0o600 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def archive_build(*, dossier_id: int) -> Archive | None:
    """Makes the archive of an approved dossier, once: run again (a retried job, two workers at once) it answers
    the archive already made. None for a dossier that is not approved, or whose documents were purged."""
    existing = Archive.objects.filter(dossier_id=dossier_id).first()
    if existing is not None:
        return existing
    dossier = _dossier_for_archive(dossier_id)
    if dossier is None or dossier.status != Status.APPROVED or dossier.purged_at is not None:
        return None
    created_at = timezone.now()
    content = archive_zip(dossier=dossier, created_at=created_at)
    archive = Archive(dossier=dossier, sha256=_sha256(content), size=len(content), created_at=created_at)
    archive.file.save("archive.zip", ContentFile(content), save=False)  # encrypted by the storage
    try:
        with transaction.atomic():
            archive.save()
            audit_record(
                action="archive.create", dossier=dossier, detail={"sha256": archive.sha256, "size": archive.size}
            )
    except IntegrityError:
        # Another run made it first: keep that one, remove this copy.
        default_storage.delete(archive.file.name)
        return Archive.objects.get(dossier_id=dossier_id)
    except BaseException:
        default_storage.delete(archive.file.name)
        raise
    return archive


def archives_missing_build(*, limit: int = MISSING_BATCH) -> int:
    """Makes the archives that approved dossiers still lack (a failed job, or approvals made before archives
    existed); answers how many were made. One that cannot be made is logged and left for the next run."""
    made = 0
    missing = (
        Dossier.objects.filter(status=Status.APPROVED, archive__isnull=True, purged_at__isnull=True)
        .order_by("approved_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for index, dossier_id in enumerate(list(missing)):
        if index:
            time.sleep(SWEEP_PAUSE_SECONDS)  # a breath between two archives: the web processes share the machine
        try:
            if archive_build(dossier_id=dossier_id) is not None:
                made += 1
        except ArchiveNotMade as problem:
            logger.error("%s", problem)
    return made


def archives_purged_delete() -> int:
    """Deletes the archives of dossiers that the retention job purged (GDDT_RETENTION_COMPLETED_DAYS): the archive
    holds the same images and data, so it goes with them; the dossier's number, dates and history stay, and the
    deletion is audited. Answers how many went. Safe to run twice."""
    deleted = 0
    for archive in Archive.objects.filter(dossier__purged_at__isnull=False).select_related("dossier").order_by("pk"):
        with transaction.atomic():
            audit_record(
                action="archive.purge", dossier=archive.dossier, detail={"sha256": archive.sha256, "size": archive.size}
            )
            archive.delete()
            # After the row: a failure here leaves an encrypted file that no row names, never a row without its file.
            transaction.on_commit(partial(default_storage.delete, archive.file.name))
        deleted += 1
    return deleted


def archive_content(*, archive: Archive) -> bytes:
    """The archive's zip, decrypted and checked against the SHA-256 recorded when it was made (ArchiveDamaged
    otherwise, naming the dossier)."""
    dossier_no = dossier_number_format(archive.dossier.number or "")
    try:
        with default_storage.open(archive.file.name, "rb") as handle:
            content: bytes = handle.read()
    except StoredFileUnreadable as error:
        raise ArchiveDamaged(dossier_no, str(error.reason)) from None
    except OSError:
        raise ArchiveDamaged(dossier_no, str(_("its file is missing from the storage"))) from None
    if len(content) != archive.size or _sha256(content) != archive.sha256:
        raise ArchiveDamaged(dossier_no, str(_("its content differs from the SHA-256 recorded when it was made")))
    return content


def archive_download(*, officer: User, archive: Archive, client_ip: str | None) -> bytes:
    """The archive for an officer (reached through archive_for_officer); the look is audited. A damaged archive is
    logged (the dossier number only) and raised as ArchiveDamaged."""
    try:
        content = archive_content(archive=archive)
    except ArchiveDamaged as problem:
        logger.error("%s", problem)
        raise
    with transaction.atomic():
        audit_record(
            action="archive.download",
            actor=officer,
            office=officer.office,
            client_ip=client_ip,
            dossier=archive.dossier,
            detail={"sha256": archive.sha256},
        )
    return content
