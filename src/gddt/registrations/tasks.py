from django_tasks import task

from gddt.registrations.retention import dossiers_purge_due
from gddt.registrations.services import dossiers_expire_due, dossiers_remind_due


@task()
def dossiers_expiry_job() -> dict[str, int]:
    """Reminders first, then expiry: a dossier due for both in one run gets the reminder it was owed."""
    return {"reminded": dossiers_remind_due(), "expired": dossiers_expire_due()}


# A run purges at most this many dossiers, so that one run stays short; the next slot goes on (a run every
# GDDT_SCHEDULER_SECONDS purges more than a campaign day's rejections in a day).
RETENTION_BATCH = 2000


@task()
def dossiers_retention_job() -> dict[str, int]:
    """Purges the documents and personal data the retention settings say are due (registrations/retention.py)."""
    return {"purged": len(dossiers_purge_due(limit=RETENTION_BATCH))}
