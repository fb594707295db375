"""`gddt serve`: the whole service on this machine. Gunicorn (several worker processes, static files through
WhiteNoise) and one task worker, supervised together; SIGTERM or Ctrl-C stops both cleanly.

Nothing a request needs stays on this node (product.md, Operations): gunicorn's control socket is off (it would sit
at one path in the home folder, shared by every server of the machine), and the metrics files of this node's
processes live in its own data dir, emptied at each start."""

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from gddt.core.env import env_int, env_str
from gddt.core.services import system_init

logger = logging.getLogger("gddt.serve")
SHM = "/dev/shm"  # noqa: S108 - memory, private to gunicorn's files (0600 under our umask)


def metrics_dir_reset(data_dir: Path) -> Path:
    """The folder prometheus-client's multiprocess mode counts in, emptied: figures of a former run would
    otherwise add up with this one's."""
    folder = data_dir / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700, parents=True)
    return folder


def gunicorn_argv(*, host: str, port: int, workers: int) -> list[str]:
    """The web server's command line (also what the container image and compose.yaml run, through `gddt serve`)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "gddt.wsgi:application",
        "--config",
        "python:gddt.core.gunicorn_config",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "--graceful-timeout",
        "20",
        "--timeout",
        "60",
        "--max-requests",
        "2000",
        "--max-requests-jitter",
        "200",
        "--access-logfile",
        "-",
        "--no-control-socket",
        # gunicorn's own temporary files (its workers' heartbeats) in memory, not on the node's disk
        "--worker-tmp-dir",
        SHM if Path(SHM).is_dir() else str(settings.DATA_DIR / "tmp"),
    ]


class Command(BaseCommand):
    help = "Serve the web pages, the API and the delivery of messages."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=env_str("GDDT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("GDDT_PORT", 8000, minimum=1))
        parser.add_argument(
            "--workers",
            type=int,
            default=env_int("GDDT_WEB_WORKERS", 0) or None,
            help="web processes (default: 2 per core + 1)",
        )
        parser.add_argument("--no-worker", action="store_true", help="do not run a task worker beside the web")
        parser.add_argument("--no-init", action="store_true", help="skip migrations and reference data")

    def handle(
        self, *args: Any, host: str, port: int, workers: int | None, no_worker: bool, no_init: bool, **options: Any
    ) -> None:
        if not no_init:
            system_init()
        # The static files belong to the installed code, not to the database: every node collects its own (hashed
        # names, compressed copies), --no-init or not; it copies only what changed.
        call_command("collectstatic", interactive=False, verbosity=0)
        workers = workers or (2 * (os.cpu_count() or 1) + 1)
        metrics_dir = metrics_dir_reset(settings.DATA_DIR)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gddt.settings", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        web = subprocess.Popen(gunicorn_argv(host=host, port=port, workers=workers), env=env)  # noqa: S603
        children = [web]
        if not no_worker:
            children.append(subprocess.Popen([sys.executable, "-m", "gddt.cli", "worker"], env=env))
        # A log line like every other on standard output, with the address really served (GDDT_HOST, GDDT_PORT).
        shown = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104 - naming, not binding
        logger.info(
            "GDĐT is serving on http://%s:%s/ (%s web processes%s)",
            shown,
            port,
            workers,
            "" if no_worker else " and a task worker",
        )

        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
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
