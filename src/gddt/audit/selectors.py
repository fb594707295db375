"""Reads of the append-only audit log."""

from django.db.models import QuerySet

from gddt.audit.models import AuditEvent
from gddt.registrations.models import Dossier


def audit_events_for_dossier(*, dossier: Dossier) -> QuerySet[AuditEvent]:
    """Every recorded look at and action on the dossier, oldest first."""
    return AuditEvent.objects.filter(dossier=dossier).select_related("office").order_by("at", "id")
