"""The audit log is append-only (rule 12): not through the ORM, and on PostgreSQL not even with raw SQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from gddt.audit.models import AuditEvent
from gddt.audit.selectors import audit_events_for_dossier
from gddt.audit.services import audit_record


@pytest.fixture
def event(db, hanoi_verifier, adult_dossier):
    return audit_record(
        action="dossier.view", actor=hanoi_verifier, office=hanoi_verifier.office, dossier=adult_dossier
    )


def test_an_event_cannot_be_saved_again(event):
    event.action = "dossier.approve"
    with pytest.raises(PermissionError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "dossier.view"


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_events_cannot_be_updated_or_deleted_in_bulk(event):
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "dossier.view"


@pytest.mark.postgres_only
def test_the_database_refuses_a_raw_update_or_delete(event):
    for sql in ("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "dossier.view"


def test_the_events_of_a_dossier_come_oldest_first(event, adult_dossier, minor_dossier, hanoi_verifier):
    later = audit_record(action="dossier.verify", actor=hanoi_verifier, dossier=adult_dossier)
    audit_record(action="dossier.view", actor=hanoi_verifier, dossier=minor_dossier)
    assert list(audit_events_for_dossier(dossier=adult_dossier)) == [event, later]
