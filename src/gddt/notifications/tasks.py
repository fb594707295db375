"""The worker's side of the SMS outbox: delivering one message (with retries and a lease) and the sweep that
re-enqueues lost deliveries. `services.sms_queue` enqueues `sms_deliver`; nothing here imports the services."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from gddt.notifications.backends import PermanentSmsError, TemporarySmsError, sms_backend
from gddt.notifications.models import SmsMessage, SmsStatus
from gddt.notifications.templates import SECRET_TEMPLATES

LEASE = timedelta(minutes=5)  # a claimed message is retried after this if its worker died


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def sms_deliver_one(*, message_id: int) -> str:
    """Delivers one message; safe to run twice and after a crash at any point."""
    now = timezone.now()
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != SmsStatus.PENDING:
            return "skipped"
        if message.next_attempt_at and message.next_attempt_at > now:
            return "not yet"
        # Claim: another worker skips it until the lease ends; a crash leaves it to the sweep.
        message.attempts += 1
        message.next_attempt_at = now + LEASE
        message.save(update_fields=["attempts", "next_attempt_at"])
    try:
        sms_backend().send(to=message.to, text=message.text, reference=str(message.reference), sent_at=now,
                           is_retry=message.attempts > 1)
    except PermanentSmsError as error:
        SmsMessage.objects.filter(pk=message.pk).update(status=SmsStatus.FAILED, last_error=str(error)[:200])
        return "failed"
    except TemporarySmsError as error:
        if message.attempts >= settings.GDDT_SMS_MAX_ATTEMPTS:
            SmsMessage.objects.filter(pk=message.pk).update(status=SmsStatus.FAILED, last_error=str(error)[:200])
            return "failed"
        retry_at = now + _backoff(message.attempts)
        with transaction.atomic():
            SmsMessage.objects.filter(pk=message.pk).update(next_attempt_at=retry_at, last_error=str(error)[:200])
            sms_deliver.using(run_after=retry_at).enqueue(message.pk)
        return "retry"
    fields: dict[str, Any] = {"status": SmsStatus.SENT, "sent_at": now, "next_attempt_at": None, "last_error": ""}
    if message.template in SECRET_TEMPLATES:
        fields["text"] = f"[{message.template}: redacted after delivery]"
    SmsMessage.objects.filter(pk=message.pk).update(**fields)
    return "sent"


def sms_sweep() -> int:
    """Re-enqueues messages whose delivery task was lost or whose worker died (periodic, safe to run twice)."""
    due = list(SmsMessage.objects.filter(status=SmsStatus.PENDING, next_attempt_at__lte=timezone.now() - LEASE)
               .values_list("pk", flat=True)[:1000])
    with transaction.atomic():
        for pk in due:
            sms_deliver.enqueue(pk)
    return len(due)


@task()
def sms_deliver(message_id: int) -> str:
    return sms_deliver_one(message_id=message_id)


@task()
def sms_sweep_job() -> int:
    return sms_sweep()
