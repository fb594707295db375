from django_tasks import task

from gddt.reports.services import report_figures_refresh


@task()
def report_figures_job() -> int:
    """Folds the transitions and documents recorded since the last run into the daily figures."""
    return report_figures_refresh()
