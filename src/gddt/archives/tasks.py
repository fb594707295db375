"""The archives' jobs: one queued by each approval, in the approval's transaction (so that an approval rolled back
queues nothing, and a committed one is never without its job), and a periodic sweep for any left out."""

from django_tasks import task

from gddt.archives.services import archive_build, archives_missing_build


@task()
def archive_build_job(dossier_id: int) -> str | None:
    """Makes the archive of one approved dossier; safe to run twice (one archive per dossier)."""
    archive = archive_build(dossier_id=dossier_id)
    return archive.sha256 if archive is not None else None


@task()
def archives_missing_job() -> int:
    """Makes the archives approved dossiers still lack (a failed job, or approvals older than the archives)."""
    return archives_missing_build()


def archive_queue(*, dossier_id: int) -> None:
    """Queues the making of a dossier's archive. Call it inside the transaction that approves the dossier: the
    queue is a table of the same database, so the job commits (or rolls back) with the approval."""
    archive_build_job.enqueue(dossier_id)
