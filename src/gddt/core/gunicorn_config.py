"""gunicorn's configuration for `gddt serve` (`--config python:gddt.core.gunicorn_config`): JSON log lines, and the
metrics of a web process that ends are kept for the scrape (prometheus-client's multiprocess mode)."""

from typing import Any

from gddt.core.env import env_str
from gddt.core.logs import logging_config

logconfig_dict = logging_config(level=(env_str("GDDT_LOG_LEVEL", "INFO") or "INFO").upper())
# The access atoms this service logs (core/logs.py reads them): never the query string, nor a request header
# other than the request id the response carries.
access_log_format = "%(m)s %(U)s %(s)s %(D)s %({x-request-id}o)s"


def child_exit(server: Any, worker: Any) -> None:
    """A web process that exits leaves its counters to the others (its live gauges are dropped)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
