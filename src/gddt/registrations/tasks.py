from django_tasks import task

from gddt.registrations.services import dossiers_expire_due, dossiers_remind_due


@task()
def dossiers_expiry_job() -> dict[str, int]:
    """Reminders first, then expiry: a dossier due for both in one run gets the reminder it was owed."""
    return {"reminded": dossiers_remind_due(), "expired": dossiers_expire_due()}
