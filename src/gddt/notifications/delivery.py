"""The delivery loop: the outbox is the queue. Each worker process runs one loop (a thread beside the task worker,
see core's `gddt worker`) that claims due messages in batches, sends them, and records every outcome of the batch in
one transaction.

A claim is `claimed_by` (this loop's token) and a short lease `claimed_until` that a heartbeat thread renews while
the batch is in hand. On PostgreSQL the claim selects with `FOR UPDATE SKIP LOCKED`, so that workers take disjoint
batches; on SQLite, which has one writer, it is one UPDATE that re-checks the lease. A worker killed mid-batch stops
renewing: its messages are due again when the lease ends (GDDT_SMS_LEASE_SECONDS, 30 s by default), and the provider
drops a repeat by the message's `reference`."""

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from gddt.notifications.backends import (
    InvalidNumberError,
    PermanentSmsError,
    Provider,
    TemporarySmsError,
    provider_create,
)
from gddt.notifications.models import Channel, ProviderPace, SmsMessage, SmsStatus
from gddt.notifications.services import sms_alert_sweep
from gddt.notifications.templates import SECRET_TEMPLATES

logger = logging.getLogger(__name__)

BACKOFF_CAP_SECONDS = 3600.0
BATCH_MAX_SECONDS = 600.0  # the heartbeat stops renewing a batch held longer than this: nothing is held forever
ALERT_CHECK_SECONDS = 60.0  # how often each delivery loop looks for messages waiting past GDDT_SMS_ALERT_MINUTES
RECORD_TRIES = 20  # a batch's outcomes are kept in memory and written again after a lost connection

# What the loop writes back for each message of a batch.
RECORDED_FIELDS = [
    "status",
    "provider",
    "provider_message_id",
    "attempts",
    "next_attempt_at",
    "last_error",
    "sent_at",
    "dead_at",
    "text",
    "claimed_by",
    "claimed_until",
]

_jitter = random.SystemRandom()


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with full jitter: anywhere up to GDDT_SMS_RETRY_SECONDS doubled per attempt, capped at
    an hour, so that many messages failing together do not come back together."""
    ceiling = min(BACKOFF_CAP_SECONDS, settings.GDDT_SMS_RETRY_SECONDS * 2 ** max(0, attempts - 1))
    return _jitter.uniform(0, ceiling)


def provider_chain(channel: str) -> list[str]:
    """The providers of a channel in their fallback order."""
    if channel == Channel.EMAIL:
        return ["email"]
    return [settings.GDDT_SMS_BACKEND, *settings.GDDT_SMS_FALLBACK]


def rate_limits() -> dict[str, float]:
    """GDDT_SMS_RATE_LIMITS ("http=30,email=5") as messages per second by provider."""
    limits: dict[str, float] = {}
    for item in settings.GDDT_SMS_RATE_LIMITS:
        name, _, rate = item.partition("=")
        if float(rate or 0) > 0:
            limits[name.strip()] = float(rate)
    return limits


def pace_reserve(*, provider: str, count: int, rate: float) -> float:
    """Reserves `count` sending slots of a provider shared by every worker; answers the moment (seconds since the
    epoch) of the first. The i-th message of the batch goes at that moment + i / rate."""
    with transaction.atomic():
        row = ProviderPace.objects.select_for_update().filter(provider=provider).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = ProviderPace.objects.create(provider=provider)
            except IntegrityError:  # another worker created it first
                row = ProviderPace.objects.select_for_update().get(provider=provider)
        start = max(time.time(), row.next_free_at)
        row.next_free_at = start + count / rate
        row.save(update_fields=["next_free_at"])
    return start


class Deliverer:
    """One delivery loop. `run` loops until told to stop (a worker's thread); `drain` delivers what is due now in
    the calling thread and returns (`gddt worker --batch`, the tests)."""

    def __init__(self, *, batch_size: int | None = None):
        self.token = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"[-64:]
        self.batch_size = batch_size or settings.GDDT_SMS_BATCH
        self.lease = timedelta(seconds=settings.GDDT_SMS_LEASE_SECONDS)
        self.providers: dict[str, Provider] = {}
        self.limits = rate_limits()
        self._held: list[int] = []
        self._held_since = 0.0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._pool: ThreadPoolExecutor | None = None

    # --- claiming ------------------------------------------------------------------------------------------------

    def claim(self) -> list[SmsMessage]:
        """Takes up to a batch of due messages for this loop and answers them (with the dossier's email)."""
        now = timezone.now()
        due = (
            SmsMessage.objects.filter(status=SmsStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("next_attempt_at")
        )
        lease = {"claimed_by": self.token, "claimed_until": now + self.lease, "claims": F("claims") + 1}
        if connection.features.has_select_for_update_skip_locked:
            with transaction.atomic():
                ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[: self.batch_size])
                if ids:
                    SmsMessage.objects.filter(pk__in=ids).update(**lease)
        else:
            # One writer: read the candidates without a lock, then one UPDATE that re-checks them takes them.
            ids = list(due.values_list("pk", flat=True)[: self.batch_size])
            if ids:
                due.filter(pk__in=ids).update(**lease)
        if not ids:
            return []
        with self._lock:
            self._held, self._held_since = ids, time.monotonic()
        return list(
            SmsMessage.objects.filter(pk__in=ids, claimed_by=self.token)
            .annotate(email_to=F("dossier__email"))
            .order_by("next_attempt_at", "pk")
        )

    def renew(self) -> int:
        """The heartbeat: pushes the lease of the batch in hand forward (not past BATCH_MAX_SECONDS)."""
        with self._lock:
            ids, since = list(self._held), self._held_since
        if not ids or time.monotonic() - since > BATCH_MAX_SECONDS:
            return 0
        return SmsMessage.objects.filter(pk__in=ids, claimed_by=self.token, status=SmsStatus.PENDING).update(
            claimed_until=timezone.now() + self.lease
        )

    # --- sending -------------------------------------------------------------------------------------------------

    def provider(self, name: str) -> Provider:
        if name not in self.providers:
            self.providers[name] = provider_create(name)
        return self.providers[name]

    def send_batch(self, messages: list[SmsMessage]) -> None:
        """Sends each message and sets its outcome on the object; nothing is written here. A provider's messages go
        over GDDT_SMS_CONCURRENCY connections at once (lanes), as far as its rate limit allows."""
        groups: dict[str, list[SmsMessage]] = defaultdict(list)
        for message in messages:
            chain = provider_chain(message.channel)
            groups[message.provider if message.provider in chain else chain[0]].append(message)
        for name, group in groups.items():
            rate = self.limits.get(name)
            start = pace_reserve(provider=name, count=len(group), rate=rate) if rate else None
            down: list[TemporarySmsError] = []  # set by the first lane that finds the provider down

            def lane(
                indexed: list[tuple[int, SmsMessage]],
                name: str = name,
                start: float | None = start,
                rate: float | None = rate,
                down: list[TemporarySmsError] = down,
            ) -> None:
                for index, message in indexed:
                    if down or self._stopping.is_set():
                        self._put_back(message, down[0] if down else None)
                        continue
                    if start is not None:
                        self._stopping.wait(max(0.0, start + index / (rate or 1) - time.time()))
                    error = self._send_one(message, name)
                    if error is not None and not down:
                        down.append(error)

            lanes = max(1, min(settings.GDDT_SMS_CONCURRENCY, len(group)))
            indexed = list(enumerate(group))
            if lanes == 1:
                lane(indexed)
                continue
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=settings.GDDT_SMS_CONCURRENCY, thread_name_prefix="gddt-sms-send"
                )
            for future in [self._pool.submit(lane, indexed[first::lanes]) for first in range(lanes)]:
                future.result()  # a lane's exception (even SystemExit) comes out here

    def _send_one(self, message: SmsMessage, name: str) -> TemporarySmsError | None:
        """Sends one message; answers the error when the provider looks down for the next ones too."""
        now = timezone.now()
        message.provider = name
        try:
            provider_id = self.provider(name).send(
                to=message.to,
                text=message.text,
                reference=str(message.reference),
                sent_at=now,
                is_retry=message.claims > 1 or message.attempts > 0,
            )
        except InvalidNumberError as error:
            message.attempts += 1
            self._dead(message, f"{name}: {error}", now)
        except PermanentSmsError as error:
            message.attempts += 1
            self._give_up(message, f"{name}: {error}", now)
        except TemporarySmsError as error:
            message.attempts += 1
            message.last_error = f"{name}: {error}"[:200]
            if message.attempts >= settings.GDDT_SMS_MAX_ATTEMPTS:
                self._give_up(message, message.last_error, now)
            else:  # counted from the answer, not from the request: Retry-After is a floor
                wait = error.retry_after if error.retry_after is not None else backoff_seconds(message.attempts)
                message.next_attempt_at = timezone.now() + timedelta(seconds=min(wait, BACKOFF_CAP_SECONDS))
            return error if error.provider_down else None
        except Exception as error:  # a fault in a provider: retried like a temporary failure, never lost
            logger.error("SMS provider %s failed on message %s: %s", name, message.pk, type(error).__name__)
            message.attempts += 1
            message.last_error = f"{name}: {type(error).__name__}"[:200]
            if message.attempts >= settings.GDDT_SMS_MAX_ATTEMPTS:
                self._give_up(message, message.last_error, now)
            else:
                message.next_attempt_at = now + timedelta(seconds=backoff_seconds(message.attempts))
        else:
            message.attempts += 1
            message.status = SmsStatus.SENT
            message.sent_at = now
            message.provider_message_id = provider_id[:100]
            message.last_error = ""
            message.next_attempt_at = None
            if message.template in SECRET_TEMPLATES:
                message.text = f"[{message.template}: redacted after delivery]"
        return None

    def _put_back(self, message: SmsMessage, down: TemporarySmsError | None) -> None:
        """Not tried in this batch (the provider is down, or the worker stops): due again later, no attempt counted."""
        if down is not None:
            wait = down.retry_after if down.retry_after is not None else backoff_seconds(1)
            message.next_attempt_at = timezone.now() + timedelta(seconds=min(wait, BACKOFF_CAP_SECONDS))

    def _give_up(self, message: SmsMessage, error: str, now: datetime) -> None:
        """The provider will not take it: the next provider of the chain starts afresh, or it is a dead letter."""
        chain = provider_chain(message.channel)
        position = chain.index(message.provider) if message.provider in chain else len(chain)
        if position + 1 < len(chain):
            message.provider = chain[position + 1]
            message.attempts = 0
            message.next_attempt_at = now
            message.last_error = error[:200]
        else:
            self._dead(message, error, now)

    def _dead(self, message: SmsMessage, error: str, now: datetime) -> None:
        message.status = SmsStatus.DEAD
        message.dead_at = now
        message.next_attempt_at = None
        message.last_error = error[:200]
        logger.warning(
            "message %s (%s) is a dead letter after %d attempt(s): %s",
            message.pk,
            message.template,
            message.attempts,
            message.last_error,
        )

    # --- recording -----------------------------------------------------------------------------------------------

    def record(self, messages: list[SmsMessage]) -> None:
        """Writes the batch's outcomes and releases it, in one transaction; writes the email copies of the messages
        that are done. A message that another loop took over meanwhile (this one lost its lease) is left to it."""
        for message in messages:
            message.claimed_by, message.claimed_until = "", None
        with transaction.atomic():
            mine = set(
                SmsMessage.objects.filter(
                    pk__in=[m.pk for m in messages], claimed_by=self.token, status=SmsStatus.PENDING
                ).values_list("pk", flat=True)
            )
            rows = [m for m in messages if m.pk in mine]
            _outcomes_write(rows)
            if settings.GDDT_EMAIL_URL:
                SmsMessage.objects.bulk_create(copy for m in rows if (copy := _email_copy(m)) is not None)
        with self._lock:
            self._held = []

    # --- loops ---------------------------------------------------------------------------------------------------

    def step(self) -> int:
        """Claims, sends and records one batch; answers its size (0: nothing was due)."""
        messages = self.claim()
        if not messages:
            return 0
        self.send_batch(messages)
        for attempt in range(RECORD_TRIES):
            try:
                self.record(messages)
                break
            except DatabaseError:
                if attempt + 1 == RECORD_TRIES:
                    raise  # the lease runs out; the messages are sent again, and the provider drops the repeats
                logger.warning("could not record a batch of messages; trying again")
                connection.close()
                time.sleep(min(0.1 * 2**attempt, 2))
        return len(messages)

    def drain(self) -> int:
        """Delivers every message due now, in this thread; answers how many batches' messages it handled."""
        handled = 0
        while (done := self.step()) > 0:
            handled += done
        return handled

    def run(self, stopping: threading.Event) -> None:
        """Loops until `stopping` is set, with its heartbeat thread; survives a lost database connection."""
        self._stopping = stopping
        heartbeat = threading.Thread(target=self._heartbeat, name="gddt-sms-heartbeat", daemon=True)
        heartbeat.start()
        next_alert = time.monotonic()
        try:
            while not stopping.is_set():
                try:
                    close_old_connections()
                    if time.monotonic() >= next_alert:  # overdue messages are warned about within a minute
                        next_alert = time.monotonic() + ALERT_CHECK_SECONDS
                        sms_alert_sweep()
                    done = self.step()
                except DatabaseError as error:
                    logger.warning("the delivery loop lost its database (%s); trying again", type(error).__name__)
                    connection.close()
                    stopping.wait(1)
                    continue
                except Exception:
                    logger.exception("the delivery loop failed; trying again")
                    stopping.wait(1)
                    continue
                if done < self.batch_size:
                    stopping.wait(settings.GDDT_SMS_POLL_SECONDS)
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
            for provider in self.providers.values():
                close = getattr(provider, "close", None)
                if close is not None:
                    close()
            connection.close()
            heartbeat.join(timeout=5)

    def _heartbeat(self) -> None:
        interval = self.lease.total_seconds() / 3
        while not self._stopping.wait(interval):
            try:
                close_old_connections()
                self.renew()
            except DatabaseError:
                logger.warning("the delivery heartbeat lost its database; trying again")
                connection.close()
        connection.close()


def _outcomes_write(rows: list[SmsMessage]) -> None:
    """One prepared UPDATE run for each row (executemany): a fraction of the cost of bulk_update's CASE expressions,
    which took most of a batch's time."""
    if not rows:
        return
    quote = connection.ops.quote_name
    fields = [field for field in SmsMessage._meta.concrete_fields if field.name in RECORDED_FIELDS]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(SmsMessage._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608 - names from the model
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields] + [row.pk] for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _email_copy(message: SmsMessage) -> SmsMessage | None:
    """The email twin of a finished SMS, for a citizen who gave an address; never for a text with a secret."""
    address = getattr(message, "email_to", "")
    if message.channel != Channel.SMS or not address or message.template in SECRET_TEMPLATES:
        return None
    if message.status not in {SmsStatus.SENT, SmsStatus.DEAD}:
        return None
    return SmsMessage(
        channel=Channel.EMAIL,
        to=address,
        text=message.text,
        template=message.template,
        dossier_id=message.dossier_id,
        provider="email",
        created_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )
