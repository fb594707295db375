"""`gddt serve`: the whole service on this machine. Gunicorn (several worker processes, static files through
WhiteNoise) and one task worker, supervised together; SIGTERM or Ctrl-C stops both cleanly."""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

from gddt.core.services import system_init


class Command(BaseCommand):
    help = "Serve the web pages, the API and the delivery of messages."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("GDDT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("GDDT_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("GDDT_WEB_WORKERS", "0")) or None,
                            help="web processes (default: 2 per core + 1)")
        parser.add_argument("--no-worker", action="store_true", help="do not run a task worker beside the web")
        parser.add_argument("--no-init", action="store_true", help="skip migrations and reference data")

    def handle(self, *args, host: str, port: int, workers: int | None, no_worker: bool, no_init: bool, **options):
        if not no_init:
            system_init()
        workers = workers or (2 * (os.cpu_count() or 1) + 1)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gddt.settings"}
        web = subprocess.Popen([  # noqa: S603 - fixed argv
            sys.executable, "-m", "gunicorn", "gddt.wsgi:application", "--bind", f"{host}:{port}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", "4",
            "--graceful-timeout", "20", "--timeout", "60", "--max-requests", "2000",
            "--max-requests-jitter", "200", "--access-logfile", "-",
            "--access-logformat", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',  # no query strings in the log
        ], env=env)
        children = [web]
        if not no_worker:
            children.append(subprocess.Popen([sys.executable, "-m", "gddt.cli", "worker"], env=env))
        self.stdout.write(f"GDĐT is serving on http://{host}:{port}/ ({workers} web processes)")

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.5)
        stop(signal.SIGTERM, None)
        deadline = time.monotonic() + 30
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        codes = [child.returncode for child in children]
        if not stopping and any(codes):
            raise SystemExit(1)
