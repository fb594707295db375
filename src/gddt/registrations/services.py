"""Use cases of the dossier that belong to the citizen and to the clock: submit, the status look-up limit, remind,
expire; and the one way a dossier moves between states."""

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gddt.accounts.models import User
from gddt.consents.models import ConsentChannel
from gddt.core import idempotency
from gddt.core.errors import FieldError, Problem, conflict
from gddt.core.text import mask
from gddt.core.throttle import throttle_check, throttle_first, throttle_subject_key, throttle_take
from gddt.notifications.services import sms_queue
from gddt.offices.models import Office
from gddt.registrations.images import CleanImage
from gddt.registrations.intake import CleanRegistration, registration_clean
from gddt.registrations.models import (
    OPEN_OR_ACTIVE,
    Document,
    DocumentSource,
    Dossier,
    Status,
    Transition,
)
from gddt.registrations.numbers import dossier_number_format
from gddt.registrations.selectors import registration_receipt
from gddt.registrations.sequence import NextDossierNumber
from gddt.registrations.states import TRANSITIONS, state_check

logger = logging.getLogger(__name__)
SCOPE_API = "registrations"
DUE_LIMIT = 5000  # dossiers reminded or expired by one run of the job; the next slot does the rest
DUE_BATCH = 50  # dossiers per transaction
DUE_BATCH_PAUSE_SECONDS = 0.02
SMS_SENT = _("We have sent an SMS with the dossier number to the registered phone.")
SMS_NOT_SENT = _(
    "No SMS was sent: this phone number has already received the most messages allowed in a day. "
    "Keep the dossier number shown here."
)


@dataclass(frozen=True)
class Submission:
    dossier_id: int
    receipt: dict[str, Any]  # the 201 body, kept for a retry with the same Idempotency-Key
    replayed: bool


def _deadline_text(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y")


def _identity_text(dossier: Dossier) -> str:
    if dossier.bhxh_code:
        return f"ma so BHXH {dossier.bhxh_code}"
    return f"so dinh danh {mask(dossier.personal_id or '')}"


def _open_dossier_for(clean: CleanRegistration) -> Dossier | None:
    query = Q()
    if clean.values.get("personal_id"):
        query |= Q(personal_id=clean.values["personal_id"])
    if clean.values.get("bhxh_code"):
        query |= Q(bhxh_code=clean.values["bhxh_code"])
    return Dossier.objects.filter(query, status__in=OPEN_OR_ACTIVE).first() if query else None


def _not_you_notify(existing: Dossier) -> None:
    """Tells the phone on record that someone tried to register with its ID: once per period, not per try. The
    period's row (one per phone, under a unique constraint) is written with the message, so of any number of
    concurrent tries exactly one sends it."""
    hours = settings.GDDT_NOT_YOU_SMS_HOURS
    with transaction.atomic():
        if hours == 0 or throttle_first(
            scope="not_you", key=throttle_subject_key(subject=existing.phone), period_seconds=hours * 3600
        ):
            sms_queue(to=existing.phone, template="not_you", context={}, dossier_id=existing.pk)


def _duplicate(clean: CleanRegistration) -> Problem:
    field = "personal_id" if clean.values.get("personal_id") else "bhxh_code"
    message = _(
        "A registration with this number is already open or its account is active. "
        "We have sent a message to the phone number on record."
    )
    return conflict("open_dossier_exists", message, [FieldError(field, "open_dossier_exists", message)])


def registration_submit(
    *,
    data: Any,
    files: dict[str, UploadedFile],
    idempotency_key: str | None = None,
    scope: str = SCOPE_API,
    client_ip: str | None = None,
    channel: str = ConsentChannel.API,
) -> Submission:
    """The online registration (product.md rules 1, 8-11, 13-14). A refused request keeps nothing: no row, no
    file, no SMS (except the "not you?" message to the owner of a number that is already registered). `client_ip`:
    the address of a request from the network, held to GDDT_REGISTRATIONS_PER_ADDRESS_PER_HOUR (429 past it).
    `channel`: where the consent was given (web, api, counter), recorded with the version of the consent text.

    A JSON registration without an Idempotency-Key costs five statements: the address limit, the dossier (its
    number made in the INSERT), its transition, the phone's receipt limit and the outbox row. Reference data comes
    from the per-process copies; no pre-check for an open dossier: the partial unique indexes refuse a second one."""
    key = idempotency.idempotency_key_clean(idempotency_key)
    if client_ip is not None:
        throttle_check(
            client_ip=client_ip,
            scope="registrations",
            limit=settings.GDDT_REGISTRATIONS_PER_ADDRESS_PER_HOUR,
            window_seconds=3600,
        )
    clean = registration_clean(data=data, files=files)
    fingerprint = idempotency.idempotency_fingerprint(data, sorted((k, p.sha256) for k, p in clean.photos.items()))
    if key:
        replay = idempotency.idempotency_replay(scope=scope, key=key, fingerprint=fingerprint)
        if replay is not None:
            return Submission(dossier_id=replay["_dossier_id"], receipt=_public(replay), replayed=True)

    saved_names: list[str] = []
    try:
        with transaction.atomic():
            if key:
                replay = idempotency.idempotency_claim(scope=scope, key=key, fingerprint=fingerprint)
                if replay is not None:  # a concurrent request with this key won; its answer is ours
                    return Submission(dossier_id=replay["_dossier_id"], receipt=_public(replay), replayed=True)
            dossier, sms_sent = _dossier_create(clean, saved_names, channel=channel)
            receipt = {
                **registration_receipt(dossier, present=set(clean.photos)),
                "sms_sent": sms_sent,
                "message": str(SMS_SENT if sms_sent else SMS_NOT_SENT),
            }
            if key:
                idempotency.idempotency_store(
                    scope=scope, key=key, status_code=201, response={**receipt, "_dossier_id": dossier.pk}
                )
    except IntegrityError:
        # Two submissions for one person at the same moment: the database let exactly one in. Any other
        # integrity error is a defect, not a duplicate, and must not be reported as one.
        document_files_delete(saved_names)
        existing = _open_dossier_for(clean)
        if existing is None:
            raise
        _not_you_notify(existing)
        raise _duplicate(clean) from None
    except BaseException:
        document_files_delete(saved_names)
        raise
    logger.info("registration submitted dossier=%s", dossier.pk)
    return Submission(dossier_id=dossier.pk, receipt=receipt, replayed=False)


def _public(stored: dict[str, Any]) -> dict[str, Any]:
    # An answer stored before receipts were limited has no sms_sent: its SMS was sent.
    return {
        "sms_sent": True,
        "message": str(SMS_SENT),
        **{k: val for k, val in stored.items() if not k.startswith("_")},
    }


def document_files_delete(names: list[str]) -> None:
    """Removes the files a failed transaction had stored, so that a refused request keeps nothing."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("could not delete an orphaned document file")


def _dossier_create(clean: CleanRegistration, saved_names: list[str], *, channel: str) -> tuple[Dossier, bool]:
    """The dossier, its documents, its transition and its receipt SMS, unless the phone has had its receipts of the
    day (GDDT_SMS_PER_PHONE_PER_DAY). Answers the dossier and whether the SMS was queued."""
    now = timezone.now()
    assert clean.office is not None
    # The number comes back from the INSERT (RETURNING): no second write to fill it in.
    dossier = Dossier.objects.create(
        **clean.values,
        number=NextDossierNumber(year=timezone.localtime(now).year),
        office=clean.office,
        consent_at=now,
        consent_channel=channel,
        child_consent_at=now if clean.child_consent else None,
        submitted_at=now,
        expires_at=now + timedelta(days=settings.GDDT_DOSSIER_TTL_DAYS),
    )
    for kind, photo in clean.photos.items():
        document_store(
            dossier=dossier,
            kind=kind,
            photo=photo,
            source=DocumentSource.ONLINE,
            officer=None,
            office=None,
            saved_names=saved_names,
            replaces=False,
        )
    Transition.objects.create(dossier=dossier, action="submit", from_status="", to_status=Status.SUBMITTED, at=now)
    sms_sent = (
        throttle_take(
            scope="receipts",
            key=throttle_subject_key(subject=dossier.phone),
            limit=settings.GDDT_SMS_PER_PHONE_PER_DAY,
            window_seconds=24 * 3600,
        )
        is None
    )
    if sms_sent:
        sms_queue(
            to=dossier.phone,
            template="submitted",
            dossier_id=dossier.pk,
            context={
                "dossier_no": dossier_number_format(dossier.number or ""),
                "identity": _identity_text(dossier),
                "deadline": _deadline_text(dossier.expires_at),
            },
        )
    return dossier, sms_sent


def document_store(
    *,
    dossier: Dossier,
    kind: str,
    photo: CleanImage,
    source: str,
    officer: User | None,
    office: Office | None,
    saved_names: list[str],
    replaces: bool = True,
) -> Document:
    """Stores a cleaned photo privately under a generated name; the caller's transaction owns it, and the
    caller deletes the files named in `saved_names` if that transaction fails. `replaces=False`: the dossier is new
    and has no document of this kind to mark replaced."""
    now = timezone.now()
    if replaces:
        Document.objects.filter(dossier=dossier, kind=kind, replaced_at__isnull=True).update(replaced_at=now)
    document = Document(
        dossier=dossier,
        kind=kind,
        sha256=photo.sha256,
        width=photo.width,
        height=photo.height,
        size=len(photo.content),
        source=source,
        supplied_by=officer,
        supplied_at_office=office,
        supplied_at=now,
    )
    document.file.save("photo.jpg", ContentFile(photo.content), save=False)
    saved_names.append(document.file.name)
    document.save()
    return document


def registration_status_throttle(*, client_ip: str) -> None:
    """Status look-ups per client address in ten minutes: enough for a family, too few to try the personal IDs
    behind a known dossier number. Raises 429 past the limit."""
    throttle_check(
        client_ip=client_ip, scope="status", limit=settings.GDDT_STATUS_LOOKUPS_PER_WINDOW, window_seconds=600
    )


def dossier_transition(
    *,
    dossier: Dossier,
    action: str,
    actor: User | None = None,
    office: Office | None = None,
    reason: str = "",
    note: str = "",
) -> Dossier:
    """Moves a locked dossier along the one table of transitions (states.py) and records who, where, when, why."""
    state_check(action=action, status=dossier.status)
    target = TRANSITIONS[(action, Status(dossier.status))]
    Transition.objects.create(
        dossier=dossier,
        action=action,
        from_status=dossier.status,
        to_status=target,
        actor=actor,
        office=office,
        reason=reason,
        note=note,
        at=timezone.now(),
    )
    dossier.status = target
    dossier.version += 1
    return dossier


def _batches(pks: list[int]) -> Iterator[list[int]]:
    """`pks` in batches of DUE_BATCH, with a short pause before each one after the first: a periodic job over
    thousands of dossiers must not keep the database's writer (SQLite has one) from the citizens and officers."""
    for start in range(0, len(pks), DUE_BATCH):
        if start:
            time.sleep(DUE_BATCH_PAUSE_SECONDS)
        yield pks[start : start + DUE_BATCH]


def dossiers_remind_due() -> int:
    """Reminds, once, the people whose dossier expires within GDDT_REMINDER_DAYS (periodic, safe to run twice)."""
    now = timezone.now()
    horizon = now + timedelta(days=settings.GDDT_REMINDER_DAYS)
    count = 0
    due = Dossier.objects.filter(
        status=Status.SUBMITTED, reminder_sent_at__isnull=True, expires_at__lte=horizon, expires_at__gt=now
    )
    for batch in _batches(list(due.order_by("pk").values_list("pk", flat=True)[:DUE_LIMIT])):
        with transaction.atomic():
            for dossier in due.filter(pk__in=batch).select_for_update().order_by("pk"):
                dossier.reminder_sent_at = now
                dossier.save(update_fields=["reminder_sent_at"])
                sms_queue(
                    to=dossier.phone,
                    template="reminder",
                    dossier_id=dossier.pk,
                    context={
                        "dossier_no": dossier_number_format(dossier.number or ""),
                        "deadline": _deadline_text(dossier.expires_at),
                    },
                )
                count += 1
    return count


def dossiers_expire_due() -> int:
    """Expires the submitted dossiers past their deadline (periodic, safe to run twice)."""
    now = timezone.now()
    count = 0
    due = Dossier.objects.filter(status=Status.SUBMITTED, expires_at__lte=now)
    for batch in _batches(list(due.order_by("pk").values_list("pk", flat=True)[:DUE_LIMIT])):
        with transaction.atomic():
            for dossier in due.filter(pk__in=batch).select_for_update().order_by("pk"):
                dossier_transition(dossier=dossier, action="expire", note="deadline passed")
                dossier.save(update_fields=["status", "version", "updated_at"])
                sms_queue(
                    to=dossier.phone,
                    template="expired",
                    dossier_id=dossier.pk,
                    context={"dossier_no": dossier_number_format(dossier.number or "")},
                )
                count += 1
    return count
