import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SmsStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Not delivered")
    DEAD = "dead", _("Dead letter")


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")


class SmsTemplate(models.Model):
    """Editable SMS texts; `gddt init` adds the defaults of notifications/templates.py when a key is missing."""

    key = models.CharField(max_length=40, unique=True)
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key


class SmsMessage(models.Model):
    """The outbox, which is also the queue: a message is written in the transaction of the change that causes it,
    and the workers' delivery loops claim due rows in batches (`claimed_by` and a short `claimed_until` lease that a
    heartbeat renews). `reference` travels to the provider, which drops a second delivery of the same reference.
    An email copy of a non-secret SMS is a row of its own (channel `email`), written by the worker."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.SMS)
    to = models.CharField(max_length=254)  # a national mobile number, or an email address
    text = models.TextField()
    template = models.CharField(max_length=40)
    dossier = models.ForeignKey(
        "registrations.Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="sms_messages"
    )
    status = models.CharField(max_length=11, choices=SmsStatus.choices, default=SmsStatus.PENDING)
    provider = models.CharField(max_length=20, blank=True)  # the one that has it (or last tried it)
    provider_message_id = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # answered tries with the current provider
    claims = models.PositiveSmallIntegerField(default=0)  # times a worker took it (a crash leaves no answer)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    receipt_at = models.DateTimeField(null=True, blank=True)  # the gateway's delivery report
    dead_at = models.DateTimeField(null=True, blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True)  # warned once as overdue

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="sms_pending"),
            models.Index(fields=["to", "template", "created_at"], name="sms_to_template"),
            # The windows of `gddt sms status`; partial, so that writing a pending message costs nothing more.
            models.Index(fields=["sent_at"], name="sms_sent_at", condition=Q(sent_at__isnull=False)),
            models.Index(fields=["dead_at"], name="sms_dead_at", condition=Q(dead_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.reference}"


class ProviderPace(models.Model):
    """The rate limit of one provider, shared by every worker: the earliest moment (seconds since the epoch) at
    which the next message may go. A worker reserves the slots of a batch by moving it forward."""

    provider = models.CharField(max_length=20, unique=True)
    next_free_at = models.FloatField(default=0.0)
