"""The approver's queue: the verified dossiers of the offices where the officer approves, the latest verified
first, so that a dossier a colleague just verified is one click away (no search again)."""

from django.db import transaction
from django.db.models import Q

from gddt.accounts.models import Role, User
from gddt.accounts.selectors import offices_with_role
from gddt.audit.services import officer_audit
from gddt.registrations.models import Dossier, Status

APPROVAL_QUEUE_SIZE = 20


def approval_queue(
    *, officer: User, client_ip: str | None = None, limit: int = APPROVAL_QUEUE_SIZE
) -> list[Dossier] | None:
    """Verified dossiers chosen or completed in the subtrees where `officer` approves (rule 5), newest
    verification first; None for an officer who approves nowhere. Audited as a browse of the queue."""
    tops = offices_with_role(officer, {Role.APPROVER})
    if not tops:
        return None
    within = Q(pk__in=[])
    for top in tops:
        within |= Q(office__path__startswith=top.path) | Q(completed_office__path__startswith=top.path)
    rows = list(
        Dossier.objects.select_related("office", "completed_office", "verified_by")
        .filter(within, status=Status.VERIFIED)
        .order_by("-verified_at", "-pk")[:limit]
    )
    with transaction.atomic():
        officer_audit(
            "dossier.browse",
            officer=officer,
            client_ip=client_ip,
            detail={"status": Status.VERIFIED, "office": "", "queue": "approval"},
        )
    return rows
