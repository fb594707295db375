import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class SmsStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed permanently")


class SmsTemplate(models.Model):
    """Editable SMS texts; `gddt init` adds the defaults of notifications/templates.py when a key is missing."""

    key = models.CharField(max_length=40, unique=True)
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key


class SmsMessage(models.Model):
    """The outbox. A message is written in the transaction of the change that causes it, then delivered by a
    worker. `reference` travels to the provider, which drops a second delivery of the same reference."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    to = models.CharField(max_length=15)
    text = models.TextField()
    template = models.CharField(max_length=40)
    dossier = models.ForeignKey("registrations.Dossier", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="sms_messages")
    status = models.CharField(max_length=10, choices=SmsStatus.choices, default=SmsStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="sms_pending"),
            models.Index(fields=["to", "template", "created_at"], name="sms_to_template"),
        ]
