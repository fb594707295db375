"""Rate limits for what a stranger could guess at: the status look-up takes a dossier number and a personal ID,
so without a limit the IDs behind a known number could be tried one by one."""

import hashlib
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from gddt.core.errors import FieldError, Problem
from gddt.core.models import ThrottleCounter


def _client_key(client_ip: str) -> str:
    address = client_ip or "unknown"
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


def throttle_check(*, client_ip: str, scope: str, limit: int, window_seconds: int) -> None:
    """Counts this request; raises 429 once the client made more than `limit` in the current window."""
    now = int(time.time())
    slot = now - now % window_seconds  # the start of the current window, in seconds
    key = _client_key(client_ip)
    with transaction.atomic():
        updated = ThrottleCounter.objects.filter(scope=scope, key=key, slot=slot).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    ThrottleCounter.objects.create(scope=scope, key=key, slot=slot, count=1)
            except IntegrityError:  # another process created it first
                ThrottleCounter.objects.filter(scope=scope, key=key, slot=slot).update(count=F("count") + 1)
        count = ThrottleCounter.objects.filter(scope=scope, key=key, slot=slot).values_list("count", flat=True)[0]
    if count > limit:
        message = _("Too many attempts. Wait a few minutes and try again.")
        raise Problem(429, message, "too_many_requests", [FieldError("", "too_many_requests", message)],
                      {"retry_after": slot + window_seconds - now})


def throttle_prune() -> int:
    cutoff = int(time.time()) - 24 * 3600
    return ThrottleCounter.objects.filter(slot__lt=cutoff).delete()[0]
