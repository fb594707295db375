import string
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gddt.core.text import strip_diacritics
from gddt.notifications.backends import PermanentSmsError, TemporarySmsError, sms_backend
from gddt.notifications.models import SmsMessage, SmsStatus, SmsTemplate
from gddt.notifications.templates import DEFAULT_TEMPLATES, SECRET_TEMPLATES

LEASE = timedelta(minutes=5)  # a claimed message is retried after this if its worker died


def sms_templates_load() -> int:
    """Adds the default templates that are missing; edited ones are kept."""
    created = 0
    for key, text in DEFAULT_TEMPLATES.items():
        created += SmsTemplate.objects.get_or_create(key=key, defaults={"text": text})[1]
    return created


def sms_render(*, template: str, context: dict[str, str]) -> str:
    row = SmsTemplate.objects.filter(key=template).only("text").first()
    text = row.text if row else DEFAULT_TEMPLATES[template]
    return strip_diacritics(string.Template(text).safe_substitute(context))


def sms_queue(*, to: str, template: str, context: dict[str, str], dossier_id: int | None = None) -> SmsMessage:
    """Writes a message to the outbox and enqueues its delivery, both in the caller's transaction: when the
    change that causes the message rolls back, the message is gone too."""
    from gddt.notifications.tasks import sms_deliver

    message = SmsMessage.objects.create(
        to=to, text=sms_render(template=template, context=context), template=template, dossier_id=dossier_id,
        created_at=timezone.now(), next_attempt_at=timezone.now(),
    )
    sms_deliver.enqueue(message.pk)
    return message


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
            from gddt.notifications.tasks import sms_deliver

            sms_deliver.using(run_after=retry_at).enqueue(message.pk)
        return "retry"
    fields: dict = {"status": SmsStatus.SENT, "sent_at": now, "next_attempt_at": None, "last_error": ""}
    if message.template in SECRET_TEMPLATES:
        fields["text"] = f"[{message.template}: redacted after delivery]"
    SmsMessage.objects.filter(pk=message.pk).update(**fields)
    return "sent"


def sms_sweep() -> int:
    """Re-enqueues messages whose delivery task was lost or whose worker died (periodic, safe to run twice)."""
    from gddt.notifications.tasks import sms_deliver

    due = list(SmsMessage.objects.filter(status=SmsStatus.PENDING, next_attempt_at__lte=timezone.now() - LEASE)
               .values_list("pk", flat=True)[:1000])
    with transaction.atomic():
        for pk in due:
            sms_deliver.enqueue(pk)
    return len(due)
