from datetime import timedelta

import pytest
from django.utils import timezone

from gddt.core.models import ScheduledRun
from gddt.core.scheduler import schedule_due
from gddt.notifications.models import SmsMessage
from gddt.registrations.models import Dossier, Status, Transition
from gddt.registrations.services import dossiers_expire_due, dossiers_remind_due
from gddt.registrations.tasks import dossiers_expiry_job

pytestmark = pytest.mark.django_db


def test_a_dossier_expires_after_the_configured_number_of_days(client, settings):
    settings.GDDT_DOSSIER_TTL_DAYS = 10
    from gddt.registrations.services import registration_submit
    from gddt_testing.factories import adult_data

    dossier = Dossier.objects.get(pk=registration_submit(data=adult_data(), files={}).dossier_id)
    assert dossier.expires_at - dossier.submitted_at == timedelta(days=10)


def test_a_reminder_goes_once_three_days_before_expiry(adult_dossier):
    Dossier.objects.filter(pk=adult_dossier.pk).update(expires_at=timezone.now() + timedelta(days=2))
    assert dossiers_remind_due() == 1
    assert dossiers_remind_due() == 0
    reminder = SmsMessage.objects.get(template="reminder")
    assert reminder.to == adult_dossier.phone and "het han" in reminder.text


def test_a_dossier_far_from_its_deadline_gets_no_reminder(adult_dossier):
    assert dossiers_remind_due() == 0


def test_an_overdue_submitted_dossier_expires_once_with_an_sms_and_a_transition(adult_dossier):
    Dossier.objects.filter(pk=adult_dossier.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert dossiers_expiry_job.call() == {"reminded": 0, "expired": 1}
    assert dossiers_expiry_job.call() == {"reminded": 0, "expired": 0}
    adult_dossier.refresh_from_db()
    assert adult_dossier.status == Status.EXPIRED and adult_dossier.version == 2
    assert SmsMessage.objects.filter(template="expired").count() == 1
    assert Transition.objects.filter(dossier=adult_dossier, action="expire", to_status="expired").count() == 1


def test_a_verified_dossier_does_not_expire(adult_dossier):
    Dossier.objects.filter(pk=adult_dossier.pk).update(
        status=Status.VERIFIED, expires_at=timezone.now() - timedelta(days=1)
    )
    assert dossiers_expire_due() == 0


def test_the_periodic_jobs_are_enqueued_once_per_slot_however_many_workers_ask(settings):
    from django_tasks_db.models import DBTaskResult

    from gddt.core.registry import periodic_jobs

    settings.GDDT_SCHEDULER_SECONDS = 300
    jobs = len(periodic_jobs())  # every app registers its own; these three are always there
    assert {"dossiers_expiry", "idempotency_prune"} <= set(schedule_due(now_seconds=3000.0))
    assert schedule_due(now_seconds=3100.0) == []  # same slot: another worker already enqueued them
    assert DBTaskResult.objects.count() == jobs
    assert len(schedule_due(now_seconds=3300.0)) == jobs
    assert ScheduledRun.objects.count() == 2 * jobs


@pytest.mark.django_db(transaction=True)
def test_a_large_expiry_run_commits_in_small_batches_and_reaches_every_due_dossier(monkeypatch, reference):
    """Thousands of due dossiers are expired batch by batch, so that citizens' and officers' writes get the database
    between two batches; none is left out and none is done twice."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gddt.registrations import services
    from gddt.registrations.services import registration_submit
    from gddt_testing.factories import adult_data

    monkeypatch.setattr(services, "DUE_BATCH", 2)
    monkeypatch.setattr(services, "DUE_BATCH_PAUSE_SECONDS", 0)
    ids = [registration_submit(data=adult_data(), files={}).dossier_id for _ in range(5)]
    Dossier.objects.filter(pk__in=ids).update(expires_at=timezone.now() - timedelta(minutes=1))
    with CaptureQueriesContext(connection) as captured:
        assert dossiers_expire_due() == 5
    locks = [q["sql"] for q in captured.captured_queries if "registrations_dossier" in q["sql"] and "IN (" in q["sql"]]
    assert len(locks) == 3  # batches of 2, 2 and 1
    assert set(Dossier.objects.values_list("status", flat=True)) == {Status.EXPIRED}
    assert Transition.objects.filter(action="expire").count() == 5
    assert dossiers_expire_due() == 0
