from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "gddt.archives"
    label = "archives"

    def ready(self) -> None:
        from gddt.archives.tasks import archives_missing_job
        from gddt.core.registry import periodic_job_register

        # The approval queues its archive; this sweep makes any that a failed job (or an approval made before the
        # archives existed) left out.
        periodic_job_register(name="archives_missing", job=archives_missing_job)
