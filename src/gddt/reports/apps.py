from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "gddt.reports"
    label = "reports"

    def ready(self) -> None:
        from gddt.core.registry import periodic_job_register
        from gddt.reports.tasks import report_figures_job

        periodic_job_register(name="report_figures", job=report_figures_job)
