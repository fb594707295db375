from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gddt.core"
    label = "core"

    def ready(self) -> None:
        from gddt.core.registry import periodic_job_register
        from gddt.core.tasks import idempotency_prune_job

        periodic_job_register(name="idempotency_prune", job=idempotency_prune_job)
