"""The outbox's figures for GET /metrics (core/metrics.py), read from the database so that every node tells the
same: the queue depth, the age of the oldest pending message and the dead letters."""

from collections.abc import Iterable

from gddt.core.metrics import Figure, metrics_collector_register
from gddt.notifications.selectors import sms_status


def sms_figures() -> Iterable[Figure]:
    status = sms_status()
    oldest = status["oldest_pending_seconds"]
    yield Figure(name="gddt_sms_queue_depth", help="Messages waiting to be sent.",
                 values={(): float(status["queue_depth"])})  # type: ignore[arg-type]
    yield Figure(name="gddt_sms_oldest_pending_seconds", help="Age of the oldest message waiting (0: none).",
                 values={(): float(oldest or 0)})  # type: ignore[arg-type]
    yield Figure(name="gddt_sms_dead_letters", help="Messages given up on, waiting for `gddt sms retry`.",
                 values={(): float(status["dead_letters"])})  # type: ignore[arg-type]


def metrics_register() -> None:
    metrics_collector_register(name="notifications", collect=sms_figures)
