from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from gddt.core.idempotency import idempotency_prune
from gddt.core.throttle import throttle_prune

# A periodic job runs for seconds; one still RUNNING after this lost its worker (a SIGKILL, a lost machine).
ORPHANED_AFTER = timedelta(hours=1)


def task_orphans_fail() -> int:
    """Marks failed the task rows left RUNNING by a worker that died, so that none stays RUNNING forever."""
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=timezone.now() - ORPHANED_AFTER
    ).update(status=TaskResultStatus.FAILED, finished_at=timezone.now())


@task()
def idempotency_prune_job() -> int:
    """Old idempotency keys and rate-limit counters (both only matter for a day), and orphaned task rows."""
    return idempotency_prune() + throttle_prune() + task_orphans_fail()
