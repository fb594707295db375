from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from gddt.audit.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(*, action: str, actor=None, office=None, request: HttpRequest | None = None, dossier=None,
                 target: str = "", detail: dict[str, Any] | None = None) -> AuditEvent:
    """Writes one append-only event. Call it inside the transaction of the action it records."""
    return AuditEvent.objects.create(
        at=timezone.now(), actor=actor, actor_username=getattr(actor, "username", "") or "", office=office,
        client_ip=client_ip(request), action=action, dossier=dossier, target=target, detail=detail or {},
    )
