import logging
import os
import socket
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, connections
from django_tasks_db.management.commands.db_worker import Worker

from gddt.core.registry import worker_loops
from gddt.core.scheduler import SchedulerThread

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run a worker: delivers SMS and runs the periodic jobs (expiry, reminders). Run as many as needed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls of an empty queue")
        parser.add_argument("--batch", action="store_true", help="run what is queued now, then exit")
        parser.add_argument("--no-scheduler", action="store_true", help="do not enqueue the periodic jobs")

    def handle(self, *args: Any, interval: float, batch: bool, no_scheduler: bool, **options: Any) -> None:
        scheduler = None
        if not no_scheduler and not batch:
            scheduler = SchedulerThread()
            scheduler.start()
        # The apps' loops (the outbox's delivery) run in threads of their own beside the task queue, so that a long
        # periodic job never holds up a message, and a stop lets each finish and record its batch.
        stopping = threading.Event()
        threads = (
            []
            if batch
            else [
                threading.Thread(target=create().run, args=(stopping,), name=f"gddt-{name}", daemon=True)
                for name, create in worker_loops().items()
            ]
        )
        for thread in threads:
            thread.start()
        worker = Worker(
            queue_names=["default"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=None,
            worker_id=f"{socket.gethostname()}-{os.getpid()}"[:64],
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            while True:
                try:
                    worker.run()
                    break
                except DatabaseError as error:  # a lost connection (a restarted or terminated backend): go on
                    if batch:
                        raise
                    logger.warning("the task worker lost its database (%s); trying again", type(error).__name__)
                    connections.close_all()
                    time.sleep(1)
            if batch:
                for create in worker_loops().values():
                    create().drain()
        finally:
            stopping.set()
            for thread in threads:
                thread.join(timeout=30)
            if scheduler:
                scheduler.stopping.set()
