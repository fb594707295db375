from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "gddt.reports"
    label = "reports"

    def ready(self) -> None:
        from gddt.core.registry import worker_loop_register
        from gddt.reports.tasks import FiguresRefresher

        worker_loop_register(name="report_figures", create=FiguresRefresher)
