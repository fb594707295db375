"""Writing messages: the templates, rendering a text, queueing a message in the caller's transaction, putting dead
letters back, applying the gateway's delivery reports and warning about overdue messages."""

import hashlib
import hmac
import json
import logging
import string
import threading
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gddt.core.errors import FieldError, Problem
from gddt.core.text import strip_diacritics
from gddt.notifications.models import SmsMessage, SmsStatus, SmsTemplate
from gddt.notifications.templates import DEFAULT_TEMPLATES

logger = logging.getLogger(__name__)

# The texts of the templates, per process: a registration does not read them from the database. An edit in this
# process (the admin) forgets them at once; other processes read them again after this many seconds.
TEMPLATE_CACHE_SECONDS = 60.0
_templates: dict[str, str] | None = None
_templates_read_at = 0.0
_templates_lock = threading.Lock()


def sms_templates_load() -> int:
    """Adds the default templates that are missing; edited ones are kept."""
    created = 0
    for key, text in DEFAULT_TEMPLATES.items():
        created += SmsTemplate.objects.get_or_create(key=key, defaults={"text": text})[1]
    sms_templates_forget()
    return created


def sms_templates_forget(**kwargs: object) -> None:
    """Drops this process's copy of the templates (connected to every save and delete of a template)."""
    global _templates
    with _templates_lock:
        _templates = None


def _template_text(key: str) -> str:
    global _templates, _templates_read_at
    with _templates_lock:
        if _templates is None or time.monotonic() - _templates_read_at > TEMPLATE_CACHE_SECONDS:
            _templates = dict(SmsTemplate.objects.values_list("key", "text"))
            _templates_read_at = time.monotonic()
        texts = _templates
    return texts.get(key) or DEFAULT_TEMPLATES[key]


def sms_render(*, template: str, context: dict[str, str], text: str | None = None) -> str:
    """The text of a template (or of `text`, a draft) with its `$name` placeholders filled, without diacritics."""
    source = text if text is not None else _template_text(template)
    return strip_diacritics(string.Template(source).safe_substitute(context))


def sms_queue(*, to: str, template: str, context: dict[str, str], dossier_id: int | None = None) -> SmsMessage:
    """Writes a message to the outbox, which is the workers' queue: one row, in the caller's transaction. When the
    change that causes the message rolls back, the message is gone too."""
    now = timezone.now()
    return SmsMessage.objects.create(
        to=to,
        text=sms_render(template=template, context=context),
        template=template,
        dossier_id=dossier_id,
        created_at=now,
        next_attempt_at=now,
    )


def sms_retry(*, message_ids: list[int] | None = None) -> int:
    """Puts dead letters back in the queue (all of them when `message_ids` is None), each with a fresh round of
    attempts from the first provider; answers how many."""
    dead = SmsMessage.objects.filter(status=SmsStatus.DEAD).exclude(to="")  # not one that retention emptied
    if message_ids is not None:
        dead = dead.filter(pk__in=message_ids)
    return dead.update(
        status=SmsStatus.PENDING,
        attempts=0,
        provider="",
        next_attempt_at=timezone.now(),
        dead_at=None,
        claimed_by="",
        claimed_until=None,
        alerted_at=None,
    )


def sms_messages_forget(*, dossier_id: int) -> int:
    """Retention: empties the recipient and the text (a phone, an email, a masked ID, a username) of the dossier's
    messages that are done with, keeping each row's template, status and times for the counts; a message still
    waiting is left to be sent. Answers how many."""
    done = [SmsStatus.SENT, SmsStatus.DELIVERED, SmsStatus.UNDELIVERED, SmsStatus.DEAD]
    return SmsMessage.objects.filter(dossier_id=dossier_id, status__in=done).exclude(to="").update(to="", text="")


RECEIPT_STATUSES = {"delivered": SmsStatus.DELIVERED, "failed": SmsStatus.UNDELIVERED}


def receipt_signature_valid(*, body: bytes, header: str | None) -> bool:
    """`X-Signature: sha256=<hex>` of the raw body with GDDT_SMS_RECEIPT_SECRET, compared in constant time."""
    secret = settings.GDDT_SMS_RECEIPT_SECRET
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.removeprefix("sha256=").strip().lower().encode())


def sms_receipt_apply(*, body: bytes, signature: str | None) -> bool:
    """A delivery report from the gateway: a sent message becomes delivered or undelivered. Answers whether it
    changed anything; a report that comes again changes nothing. 401 without a valid signature, 404 for an
    unknown reference, 422 for a malformed report."""
    if not receipt_signature_valid(body=body, header=signature):
        raise Problem(
            401,
            _("The signature of this delivery report is missing or wrong."),
            "bad_signature",
            [FieldError("X-Signature", "bad_signature", _("Sign the raw body with HMAC-SHA256."))],
        )
    try:
        report = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Problem(
            400,
            _("The request is malformed."),
            "bad_request",
            [FieldError("", "malformed_json", _("The body is not valid JSON."))],
        ) from None
    if not isinstance(report, dict):
        report = {}
    errors = []
    try:
        reference = uuid.UUID(str(report.get("reference")))
    except ValueError:
        reference = None
        errors.append(FieldError("reference", "invalid", _("This is not a message reference.")))
    status = RECEIPT_STATUSES.get(str(report.get("status")))
    if status is None:
        errors.append(FieldError("status", "invalid", _("The status is “delivered” or “failed”.")))
    if errors or reference is None or status is None:
        raise Problem(422, _("This delivery report cannot be read."), "invalid", errors)
    error = str(report.get("error") or "")[:200]
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().filter(reference=reference).first()
        if message is None:
            raise Problem(404, _("No message has this reference."), "not_found")
        if message.status not in {SmsStatus.PENDING, SmsStatus.SENT}:
            return False  # already final: a repeated report changes nothing
        now = timezone.now()
        message.status = status
        message.receipt_at = now
        message.sent_at = message.sent_at or now  # a report can overtake the worker's record of the sending
        message.next_attempt_at = None
        if status == SmsStatus.UNDELIVERED:
            message.last_error = f"gateway: {error}" if error else "gateway: not delivered"
        message.save(update_fields=["status", "receipt_at", "sent_at", "next_attempt_at", "last_error"])
    return True


def sms_alert_sweep() -> int:
    """Logs a warning, once per message, for each message still waiting after GDDT_SMS_ALERT_MINUTES (no phone and
    no text in the log). Answers how many it warned about."""
    now = timezone.now()
    overdue = SmsMessage.objects.filter(
        status=SmsStatus.PENDING,
        alerted_at__isnull=True,
        created_at__lt=now - timedelta(minutes=settings.GDDT_SMS_ALERT_MINUTES),
    )
    with transaction.atomic():
        rows = list(
            overdue.select_for_update(skip_locked=True)
            .order_by("pk")
            .values("pk", "template", "provider", "attempts", "last_error", "created_at")[:1000]
        )
        SmsMessage.objects.filter(pk__in=[row["pk"] for row in rows]).update(alerted_at=now)
    for row in rows:
        logger.warning(
            "message %s (%s) still waiting after %d minutes: %d attempt(s) with %s, last error %r",
            row["pk"],
            row["template"],
            (now - row["created_at"]).total_seconds() // 60,
            row["attempts"],
            row["provider"] or "no provider yet",
            row["last_error"],
        )
    return len(rows)
