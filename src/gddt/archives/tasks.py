"""The archives' jobs: one queued by each approval, in the approval's transaction (so that an approval rolled back
queues nothing, and a committed one is never without its job), and a periodic sweep for any left out."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from gddt.archives.services import archive_build, archives_missing_build, archives_purged_delete

# A finished job's row is only worth keeping for a look the next day (one row per approval would otherwise pile up).
FINISHED_KEPT = timedelta(days=1)


@task()
def archive_build_job(dossier_id: int) -> str | None:
    """Makes the archive of one approved dossier; safe to run twice (one archive per dossier)."""
    archive = archive_build(dossier_id=dossier_id)
    return archive.sha256 if archive is not None else None


def archive_jobs_prune() -> int:
    """Deletes the rows of archive jobs that succeeded more than a day ago; a failed one stays for the operator."""
    deleted, _by_model = DBTaskResult.objects.filter(
        task_path=archive_build_job.module_path,
        status=TaskResultStatus.SUCCESSFUL,
        finished_at__lt=timezone.now() - FINISHED_KEPT,
    ).delete()
    return deleted


@task()
def archives_missing_job() -> dict[str, int]:
    """Makes the archives approved dossiers still lack (a failed job, or approvals older than the archives),
    deletes those of dossiers the retention job purged, and prunes the rows of archive jobs done long ago."""
    return {
        "made": archives_missing_build(),
        "purged": archives_purged_delete(),
        "jobs_pruned": archive_jobs_prune(),
    }


def archive_queue(*, dossier_id: int) -> None:
    """Queues the making of a dossier's archive. Call it inside the transaction that approves the dossier: the
    queue is a table of the same database, so the job commits (or rolls back) with the approval."""
    archive_build_job.enqueue(dossier_id)
