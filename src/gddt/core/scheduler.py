"""Periodic jobs, enqueued by every worker but run once per slot: the first worker to record (job, slot)
enqueues it. Each job is safe to run twice anyway."""

import logging
import threading
import time

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone

from gddt.core.models import ScheduledRun
from gddt.core.registry import periodic_jobs

logger = logging.getLogger(__name__)


def schedule_due(*, now_seconds: float | None = None) -> list[str]:
    """Enqueues the registered periodic jobs that no worker has enqueued in this slot; answers their names."""
    period = settings.GDDT_SCHEDULER_SECONDS
    slot = int((now_seconds if now_seconds is not None else time.time()) // period)
    enqueued: list[str] = []
    for name, job in periodic_jobs().items():
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(name=name, slot=slot, enqueued_at=timezone.now())
                job.enqueue()
        except IntegrityError:
            continue  # another worker has it
        enqueued.append(name)
    ScheduledRun.objects.filter(slot__lt=slot - 1000).delete()
    return enqueued


class SchedulerThread(threading.Thread):
    def __init__(self) -> None:
        super().__init__(name="gddt-scheduler", daemon=True)
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                close_old_connections()
                schedule_due()
            except Exception:
                logger.exception("the scheduler could not enqueue the periodic jobs")
            finally:
                close_old_connections()
            self.stopping.wait(min(60, settings.GDDT_SCHEDULER_SECONDS))
