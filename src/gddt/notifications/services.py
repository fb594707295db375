"""Writing SMS: the templates, rendering a text and queueing a message in the caller's transaction."""

import string

from django.utils import timezone

from gddt.core.text import strip_diacritics
from gddt.notifications.models import SmsMessage, SmsTemplate
from gddt.notifications.tasks import sms_deliver
from gddt.notifications.templates import DEFAULT_TEMPLATES


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
    message = SmsMessage.objects.create(
        to=to, text=sms_render(template=template, context=context), template=template, dossier_id=dossier_id,
        created_at=timezone.now(), next_attempt_at=timezone.now(),
    )
    sms_deliver.enqueue(message.pk)
    return message
