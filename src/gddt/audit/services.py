"""Writing to the append-only audit log."""

import csv
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from django.http import HttpRequest
from django.utils import timezone

from gddt.audit.models import AuditEvent
from gddt.audit.selectors import EXPORT_COLUMNS, audit_events_in_period, audit_export_rows
from gddt.core.clients import client_address

if TYPE_CHECKING:
    from gddt.accounts.models import User
    from gddt.offices.models import Office
    from gddt.registrations.models import Dossier


def audit_record(
    *,
    action: str,
    actor: "User | None" = None,
    office: "Office | None" = None,
    request: HttpRequest | None = None,
    dossier: "Dossier | None" = None,
    target: str = "",
    detail: dict[str, Any] | None = None,
    client_ip: str | None = None,
) -> AuditEvent:
    """Writes one append-only event. Call it inside the transaction of the action it records. The client's
    address is `client_ip`, or else that of `request`."""
    if client_ip is None and request is not None:
        client_ip = client_address(request)
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor,
        actor_username=getattr(actor, "username", "") or "",
        office=office,
        client_ip=client_ip or None,
        action=action,
        dossier=dossier,
        target=target,
        detail=detail or {},
    )


def officer_audit(
    action: str,
    *,
    officer: "User",
    client_ip: str | None,
    dossier: "Dossier | None" = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """An officer's act or look (a search, a list, a dossier, a document), recorded at the officer's office."""
    return audit_record(
        action=action, actor=officer, office=officer.office, client_ip=client_ip, dossier=dossier, detail=detail
    )


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def audit_export(
    *, first_day: date, last_day: date, out: Writable, actor: "User | None" = None, office: "Office | None" = None
) -> int:
    """`gddt audit export`: writes the events of the period (Vietnam's days, both included) as CSV to `out`, a
    header and one row per event, and records the export itself; answers the number of rows. For investigating who
    looked at what (a suspected breach): the rows carry no ID number or image, as the events do not."""
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    rows = 0
    for row in audit_export_rows(
        audit_events_in_period(first_day=first_day, last_day=last_day, actor=actor, office=office)
    ):
        writer.writerow(row)
        rows += 1
    audit_record(
        action="audit.export",
        detail={
            "from": first_day.isoformat(),
            "to": last_day.isoformat(),
            "officer": actor.username if actor else "",
            "office": office.code if office else "",
            "rows": rows,
        },
    )
    return rows
