from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "gddt.core"
    label = "core"

    def ready(self) -> None:
        from django.conf import settings

        from gddt.core.metrics import metrics_signals_connect
        from gddt.core.registry import periodic_job_register, worker_loop_register
        from gddt.core.sqlite import Checkpointer
        from gddt.core.storage import data_key_check
        from gddt.core.tasks import idempotency_prune_job

        periodic_job_register(name="idempotency_prune", job=idempotency_prune_job)
        checks.register(data_key_check)  # `gddt serve` and `gddt worker` refuse to start with a wrong data key
        if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
            worker_loop_register(name="sqlite_checkpoint", create=Checkpointer)  # the web processes run none
        metrics_signals_connect()
