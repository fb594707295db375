"""Dossier histories written straight into the tables, with chosen times, offices and officers, for the report
tests (not a test module itself). Every step follows the one table of transitions (registrations.states)."""

import itertools
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from gddt.adminunits.models import Ward
from gddt.offices.models import Office, OfficeLevel
from gddt.registrations.models import Document, DocumentSource, Dossier, Status, Transition
from gddt.registrations.states import next_status

_sequence = itertools.count(1)


def local(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware moment of `day` in Asia/Ho_Chi_Minh."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def local_office(code: str, parent_code: str, name: str) -> Office:
    parent = Office.objects.get(code=parent_code)
    return Office.objects.create(
        code=code,
        name=name,
        parent=parent,
        level=OfficeLevel.LOCAL,
        province=parent.province,
        path=f"{parent.path}{code}/",
    )


def submit(*, office: Office, at: datetime, category: str = "with_id_card", online_documents: int = 0) -> Dossier:
    province = office.province_id or "01"
    ward = Ward.objects.filter(province_id=province).first() or Ward.objects.first()
    assert ward is not None
    n = next(_sequence)
    dossier = Dossier.objects.create(
        number=f"9{n:08d}",
        category=category,
        full_name="Nguyễn Văn Thử",
        date_of_birth=at.date().replace(year=1990),
        sex="male",
        phone="0912345678",
        province_id=ward.province_id,
        ward=ward,
        office=office,
        consent_at=at,
        submitted_at=at,
        expires_at=at + timedelta(days=30),
    )
    Transition.objects.create(dossier=dossier, action="submit", from_status="", to_status=Status.SUBMITTED, at=at)
    for _ in range(online_documents):
        document(dossier, at=at, source=DocumentSource.ONLINE)
    return dossier


def act(
    dossier: Dossier, action: str, *, at: datetime, office: Office | None = None, actor=None, reason: str = ""
) -> Transition:
    target = next_status(action, dossier.status)
    assert target is not None, f"{action} is not allowed from {dossier.status}"
    transition = Transition.objects.create(
        dossier=dossier,
        action=action,
        from_status=dossier.status,
        to_status=target,
        actor=actor,
        office=office,
        reason=reason,
        at=at,
    )
    dossier.status = target
    if action in ("verify", "approve") and office is not None:
        dossier.completed_office = office
    dossier.save(update_fields=["status", "completed_office"])
    return transition


def document(
    dossier: Dossier,
    *,
    at: datetime,
    source: str = DocumentSource.COUNTER,
    office: Office | None = None,
    officer=None,
    kind: str = "portrait",
) -> Document:
    Document.objects.filter(dossier=dossier, kind=kind, replaced_at__isnull=True).update(replaced_at=at)
    return Document.objects.create(
        dossier=dossier,
        kind=kind,
        file=f"documents/test/{next(_sequence)}.jpg",
        sha256="0" * 64,
        width=1200,
        height=800,
        size=1000,
        source=source,
        supplied_by=officer,
        supplied_at_office=office,
        supplied_at=at,
    )
