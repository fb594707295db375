from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gddt.core.tasks import idempotency_prune_job, task_orphans_fail

pytestmark = pytest.mark.django_db


def test_a_task_row_left_running_by_a_killed_worker_is_failed_after_an_hour():
    orphan = idempotency_prune_job.enqueue()
    running = idempotency_prune_job.enqueue()
    DBTaskResult.objects.filter(pk=orphan.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(hours=2)
    )
    DBTaskResult.objects.filter(pk=running.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=5)
    )
    assert task_orphans_fail() == 1
    assert DBTaskResult.objects.get(pk=orphan.id).status == TaskResultStatus.FAILED
    assert DBTaskResult.objects.get(pk=running.id).status == TaskResultStatus.RUNNING
