import os
import socket

from django.core.management.base import BaseCommand
from django_tasks_db.management.commands.db_worker import Worker

from gddt.core.scheduler import SchedulerThread


class Command(BaseCommand):
    help = "Run a worker: delivers SMS and runs the periodic jobs (expiry, reminders). Run as many as needed."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls of an empty queue")
        parser.add_argument("--batch", action="store_true", help="run what is queued now, then exit")
        parser.add_argument("--no-scheduler", action="store_true", help="do not enqueue the periodic jobs")

    def handle(self, *args, interval: float, batch: bool, no_scheduler: bool, **options):
        scheduler = None
        if not no_scheduler and not batch:
            scheduler = SchedulerThread()
            scheduler.start()
        worker = Worker(queue_names=["default"], interval=interval, batch=batch, backend_name="default",
                        startup_delay=not batch, max_tasks=None,
                        worker_id=f"{socket.gethostname()}-{os.getpid()}"[:64], excluded_queue_names=[])
        worker.configure_signals()
        try:
            worker.run()
        finally:
            if scheduler:
                scheduler.stopping.set()
