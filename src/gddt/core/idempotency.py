"""Exactly once for POSTs (product.md rule 11): the first answer to an Idempotency-Key is kept and given again
to a retry with the same body; the same key with another body is refused."""

import hashlib
import json
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gddt.core.errors import FieldError, Problem, bad_request
from gddt.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"


def idempotency_key_clean(key: str | None) -> str | None:
    if key is None or key == "":
        return None
    if len(key) > 200 or not key.isascii() or not key.isprintable():
        raise bad_request(
            HEADER, "invalid_idempotency_key", _("The Idempotency-Key must be at most 200 printable ASCII characters.")
        )
    return key


def idempotency_fingerprint(*parts: Any) -> str:
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            digest.update(part)
        else:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def _reused() -> Problem:
    return Problem(
        422,
        _("This Idempotency-Key was used with another request."),
        "idempotency_key_reused",
        [FieldError(HEADER, "idempotency_key_reused", _("This Idempotency-Key was used with another request."))],
    )


def idempotency_replay(*, scope: str, key: str, fingerprint: str) -> dict | None:
    """The stored first answer, or None when the key is new."""
    record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise _reused()
    return record.response


def idempotency_claim(*, scope: str, key: str, fingerprint: str) -> dict | None:
    """Records the key inside the caller's transaction. When a concurrent request holds the same key, the
    database makes this wait until that request commits, and its answer is returned instead."""
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(scope=scope, key=key, request_hash=fingerprint, created_at=timezone.now())
    except IntegrityError:
        return idempotency_replay(scope=scope, key=key, fingerprint=fingerprint)
    return None


def idempotency_store(*, scope: str, key: str, status_code: int, response: dict) -> None:
    IdempotencyRecord.objects.filter(scope=scope, key=key).update(status_code=status_code, response=response)


def idempotency_prune() -> int:
    from django.conf import settings

    cutoff = timezone.now() - timedelta(hours=settings.GDDT_IDEMPOTENCY_HOURS)
    return IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()[0]
