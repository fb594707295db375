"""Reads of the append-only audit log."""

import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from gddt.audit.models import AuditEvent
from gddt.registrations.models import Dossier
from gddt.registrations.numbers import dossier_number_format

if TYPE_CHECKING:
    from gddt.accounts.models import User
    from gddt.offices.models import Office

# The days of an export are Vietnam's, whatever the server's clock says.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
EXPORT_COLUMNS = ["time", "officer", "office", "action", "dossier", "target", "client_address", "detail"]
EXPORT_CHUNK = 2000  # rows fetched from the database at a time: memory stays flat for millions of events


def audit_events_for_dossier(*, dossier: Dossier) -> QuerySet[AuditEvent]:
    """Every recorded look at and action on the dossier, oldest first."""
    return AuditEvent.objects.filter(dossier=dossier).select_related("office").order_by("at", "id")


def audit_events_in_period(
    *, first_day: date, last_day: date, actor: "User | None" = None, office: "Office | None" = None
) -> QuerySet[AuditEvent]:
    """The events from the start of `first_day` to the end of `last_day` (both included, Vietnam's days), of one
    actor and of one office when given, oldest first."""
    start = datetime.combine(first_day, time.min, tzinfo=VIETNAM)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=VIETNAM)
    events = AuditEvent.objects.filter(at__gte=start, at__lt=end)
    if actor is not None:
        events = events.filter(actor=actor)
    if office is not None:
        events = events.filter(office=office)
    return events.order_by("at", "id")


def audit_export_rows(events: QuerySet[AuditEvent]) -> Iterator[list[str]]:
    """The rows of EXPORT_COLUMNS, streamed from the database in chunks (never the whole period in memory)."""
    fields = ("at", "actor_username", "office__code", "action", "dossier__number", "target", "client_ip", "detail")
    for at, username, office_code, action, number, target, client_ip, detail in events.values_list(*fields).iterator(
        chunk_size=EXPORT_CHUNK
    ):
        yield [
            at.astimezone(VIETNAM).isoformat(timespec="milliseconds"),
            username,
            office_code or "",
            action,
            dossier_number_format(number) if number else "",
            target,
            client_ip or "",
            json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else "",
        ]
