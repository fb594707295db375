"""Retention (product.md rule 16; domain.md, "Personal data law"): once a dossier's decision is older than its
settings say, its documents and the person's data are purged. What the reports and the audit need stays: the
number, category, status, dates, offices and every document row's kind, hash and provenance; the transitions and the
audit events are never touched. Rules, each from the decision:

- rejected: GDDT_RETENTION_REJECTED_DAYS after `rejected_at` (default 90);
- expired: GDDT_RETENTION_EXPIRED_DAYS after the deadline `expires_at` (default 90);
- approved: GDDT_RETENTION_COMPLETED_DAYS after `approved_at`, only when set (by default kept).

Each dossier is purged in its own transaction, under its row lock; a purged dossier is skipped, so the job is
safe to run twice and after an interruption."""

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gddt.audit.services import audit_record
from gddt.core.errors import Problem
from gddt.notifications.services import sms_messages_forget
from gddt.registrations.models import Document, Dossier, Status

logger = logging.getLogger(__name__)

# The date each purged status counts from, and the setting that says how many days after it.
_RULES: dict[Status, tuple[str, str]] = {
    Status.REJECTED: ("rejected_at", "GDDT_RETENTION_REJECTED_DAYS"),
    Status.EXPIRED: ("expires_at", "GDDT_RETENTION_EXPIRED_DAYS"),
    Status.APPROVED: ("approved_at", "GDDT_RETENTION_COMPLETED_DAYS"),
}

# The person's data, blanked by the purge: names, ID numbers, the ID document, the birth certificate, the guardian,
# the phone, the email and the street. Kept: category, status, dates, offices, number, and what the reports count by
# (sex, nationality, province, ward), and of the date of birth only the year (1 January of it: the column is NOT NULL,
# and a year alone no longer singles a person out). The messages
# sent about the dossier lose their recipient and text too (notifications.services.sms_messages_forget).
PERSONAL_FIELDS: dict[str, object] = {
    "full_name": "",
    "personal_id": None,
    "bhxh_code": None,
    "id_number": "",
    "id_issued_on": None,
    "id_issued_by": "",
    "birth_certificate_number": "",
    "birth_certificate_issued_on": None,
    "birth_certificate_issued_by": "",
    "guardian_full_name": "",
    "guardian_relationship": "",
    "guardian_personal_id": "",
    "guardian_phone": "",
    "phone": "",
    "email": "",
    "street": "",
}

BATCH = 500
PURGE_PAUSE_SECONDS = 0.02


@dataclass(frozen=True)
class DuePurge:
    """A dossier the retention settings say goes: never a name or an ID, so that it may be printed and logged."""

    dossier_id: int
    number: str
    status: str
    decided_at: datetime  # the decision the period counts from
    files: int  # stored files (current and replaced documents)


def _due_q(now: datetime) -> Q:
    """The dossiers due now: one clause per status whose period is set."""
    due = Q(pk__in=[])
    for status, (date_field, setting) in _RULES.items():
        days = getattr(settings, setting)
        if days is None:
            continue
        due |= Q(status=status, **{f"{date_field}__lte": now - timedelta(days=days)})
    return due


def dossiers_due_for_purge(*, now: datetime | None = None, limit: int | None = None) -> Iterator[DuePurge]:
    """What the retention settings say goes now, oldest dossier first, read in batches (a campaign's worth of
    rejected dossiers is never loaded at once)."""
    now = now or timezone.now()
    query = Dossier.objects.filter(_due_q(now), purged_at__isnull=True).annotate(
        files=Count("documents", filter=~Q(documents__file=""))
    )
    after = 0
    given = 0
    while limit is None or given < limit:
        size = BATCH if limit is None else min(BATCH, limit - given)
        rows = list(
            query.filter(pk__gt=after)
            .order_by("pk")
            .values("pk", "number", "status", "rejected_at", "expires_at", "approved_at", "files")[:size]
        )
        if not rows:
            return
        for row in rows:
            yield DuePurge(
                dossier_id=row["pk"],
                number=row["number"] or "",
                status=row["status"],
                decided_at=row[_RULES[Status(row["status"])][0]],
                files=row["files"],
            )
        given += len(rows)
        after = rows[-1]["pk"]


def dossier_purge(*, dossier_id: int, now: datetime | None = None) -> bool:
    """Purges one dossier if it is still due and not yet purged (re-checked under its row lock); answers whether it
    did. The stored files are deleted before the transaction commits: if the database fails after that, the dossier
    is not marked purged and the next run deletes the rest (deleting a missing file is no error, locally or on S3)."""
    now = now or timezone.now()
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().filter(_due_q(now), pk=dossier_id, purged_at__isnull=True).first()
        if dossier is None:
            return False
        documents = Document.objects.filter(dossier=dossier).exclude(file="")
        names = list(documents.values_list("file", flat=True))
        for name in names:
            default_storage.delete(name)
        # Each row stays (kind, hash, provenance), without the name of a file that is gone.
        Document.objects.filter(dossier=dossier).update(file="")
        for field, blank in PERSONAL_FIELDS.items():
            setattr(dossier, field, blank)
        dossier.date_of_birth = dossier.date_of_birth.replace(month=1, day=1)
        messages = sms_messages_forget(dossier_id=dossier.pk)
        dossier.purged_at = now
        dossier.version += 1
        dossier.save(update_fields=[*PERSONAL_FIELDS, "date_of_birth", "purged_at", "version", "updated_at"])
        date_field, setting = _RULES[Status(dossier.status)]
        audit_record(
            action="dossier.purge",
            dossier=dossier,
            detail={
                "status": dossier.status,
                "decided_at": getattr(dossier, date_field).isoformat(),
                "retention_days": getattr(settings, setting),
                "files": len(names),
                "messages": messages,
            },
        )
    logger.info("dossier purged dossier=%s files=%s", dossier_id, len(names))
    return True


def dossiers_purge_due(*, limit: int | None = None) -> list[DuePurge]:
    """Purges what is due now, one dossier per transaction (periodic, safe to run twice); answers what went. A
    dossier that fails (its storage unreachable, a file it may not delete) is logged and left for the next run: it
    never holds up the others."""
    now = timezone.now()
    purged = []
    for index, due in enumerate(dossiers_due_for_purge(now=now, limit=limit)):
        if index:
            # A breath between two purges: thousands due at once (retention switched on, a restored database) must
            # not keep the database's writer (SQLite has one) from the citizens and officers for a minute.
            time.sleep(PURGE_PAUSE_SECONDS)
        try:
            if dossier_purge(dossier_id=due.dossier_id, now=now):
                purged.append(due)
        except Exception:
            logger.exception("retention could not purge dossier=%s; the next run tries again", due.dossier_id)
    return purged


def dossier_purged_check(*, dossier: Dossier) -> None:
    """410 `purged` for anything that needs the documents or the person's data of a purged dossier."""
    if dossier.purged_at is not None:
        raise Problem(
            410,
            _(
                "The documents and personal data of this dossier were deleted on %(date)s, when its retention "
                "period ended. Its number, status and history are kept."
            )
            % {"date": timezone.localtime(dossier.purged_at).strftime("%d/%m/%Y")},
            "purged",
        )
