from django.db import models


class ScheduledRun(models.Model):
    """One row per periodic job and time slot: with several workers, only the one that inserts the row
    enqueues the job for that slot."""

    name = models.CharField(max_length=60)
    slot = models.BigIntegerField()
    enqueued_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="one_run_per_slot")]


class IdempotencyRecord(models.Model):
    """The first answer to a POST with an Idempotency-Key, so that a retry gets the same answer."""

    scope = models.CharField(max_length=60)  # the endpoint, and for officers their id
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="one_record_per_idempotency_key")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_at")]


class ThrottleCounter(models.Model):
    """Requests counted per scope, client and time window, shared by every process (rate limits)."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)  # a hash of the client address, never the address itself
    slot = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key", "slot"], name="one_counter_per_window")]
