"""Rate limits over sliding windows, shared by every process through the database: the status look-up (so that the IDs
behind a known dossier number cannot be tried one by one), registrations per client address and receipts per phone.

A window of W seconds is kept as 60 buckets of W/60 seconds. A hit is counted only when the buckets that cover the
last W seconds (61 of them: the oldest reaches a little further back) hold fewer than `limit`, so that no interval of
W seconds ever holds more than `limit` counted hits, wherever the boundaries fall. A fixed window let twice the limit
through around its boundary. Counting and checking is one statement (an upsert with its condition), so a limit costs
one round trip and two processes cannot both take the last place: on PostgreSQL the update re-reads the locked row."""

import hashlib
import math
import time

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext_lazy as _

from gddt.core.errors import FieldError, Problem
from gddt.core.models import ThrottleCounter

BUCKETS = 60


def _client_key(client_ip: str) -> str:
    address = client_ip or "unknown"
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


def throttle_subject_key(*, subject: str) -> str:
    """What a counter row keeps of its subject (an address, a phone): a keyed hash, never the subject itself."""
    return _client_key(subject)


def _bucket_seconds(window_seconds: int) -> int:
    return max(1, window_seconds // BUCKETS)


def _upsert_sql() -> str:
    quote = connection.ops.quote_name
    table, key, count = quote(ThrottleCounter._meta.db_table), quote("key"), quote("count")
    window = (
        f"SELECT COALESCE(SUM(t.{count}), 0) FROM {table} t "  # noqa: S608 - our quoted names; values are parameters
        f"WHERE t.scope = %s AND t.{key} = %s AND t.slot >= %s"
    )
    # Inserted when the whole window holds fewer than the limit; else, when the bucket exists, updated when its own
    # count (the locked row's latest, on PostgreSQL) and the older buckets together hold fewer. No row: refused.
    return (
        f"INSERT INTO {table} (scope, {key}, slot, {count}) SELECT %s, %s, %s, 1 WHERE ({window}) < %s "
        f"ON CONFLICT (scope, {key}, slot) DO UPDATE SET {count} = {table}.{count} + 1 "
        f"WHERE {table}.{count} + ({window} AND t.slot < %s) < %s RETURNING {count}"
    )


def throttle_take(*, scope: str, key: str, limit: int, window_seconds: int, now: float | None = None) -> int | None:
    """Counts one hit of `key` in `scope` if fewer than `limit` were counted in the last `window_seconds`. Answers None
    when it was counted, else the seconds until one more would be (at least 1). One statement when counted."""
    now = time.time() if now is None else now
    size = _bucket_seconds(window_seconds)
    slot = int(now) - int(now) % size
    oldest = slot - BUCKETS * size  # the bucket that still overlaps the window [now - window, now]
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), [scope, key, slot, scope, key, oldest, limit, scope, key, oldest, slot, limit])
        if cursor.fetchone() is not None:
            return None
    return _seconds_until_free(scope=scope, key=key, limit=limit, oldest=oldest, size=size, now=now)


def _seconds_until_free(*, scope: str, key: str, limit: int, oldest: int, size: int, now: float) -> int:
    """When enough of the oldest buckets have left the window for one more hit to fit."""
    rows = list(
        ThrottleCounter.objects.filter(scope=scope, key=key, slot__gte=oldest)
        .order_by("slot")
        .values_list("slot", "count")
    )
    held = sum(count for _, count in rows)
    for slot, count in rows:
        held -= count
        if held < limit:
            return max(1, math.ceil(slot + (BUCKETS + 1) * size - now))
    return 1


def throttle_first(*, scope: str, key: str, period_seconds: int, now: float | None = None) -> bool:
    """True for the first call of `key` in `scope` in each period of `period_seconds` (periods counted from the epoch),
    False for any later one. The period's row is written under the unique constraint of the table, in the caller's
    transaction: of concurrent callers exactly one gets True (the others wait for it, then find its row)."""
    now = time.time() if now is None else now
    slot = int(now) - int(now) % max(1, period_seconds)
    quote = connection.ops.quote_name
    table, key_column, count = quote(ThrottleCounter._meta.db_table), quote("key"), quote("count")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, {key_column}, slot, {count}) VALUES (%s, %s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (scope, {key_column}, slot) DO NOTHING RETURNING {count}",
            [scope, key, slot],
        )
        return cursor.fetchone() is not None


def throttle_check(*, client_ip: str, scope: str, limit: int, window_seconds: int) -> None:
    """Counts this request of the client; raises 429 (with `retry_after` seconds) when it made `limit` already in
    the last `window_seconds`. A refused request is not counted."""
    wait = throttle_take(scope=scope, key=_client_key(client_ip), limit=limit, window_seconds=window_seconds)
    if wait is not None:
        message = _("Too many attempts. Wait a few minutes and try again.")
        raise Problem(
            429, message, "too_many_requests", [FieldError("", "too_many_requests", message)], {"retry_after": wait}
        )


def throttle_prune() -> int:
    cutoff = int(time.time()) - 2 * 24 * 3600  # the longest window is a day
    return ThrottleCounter.objects.filter(slot__lt=cutoff).delete()[0]
