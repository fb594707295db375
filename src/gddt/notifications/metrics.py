"""The outbox's figures for GET /metrics (core/metrics.py), read from the database so that every node tells the
same: the queue depth, the age of the oldest pending message and the dead letters."""

from collections.abc import Iterable

from gddt.core.metrics import Figure, metrics_collector_register
from gddt.notifications.selectors import sms_status


def sms_figures() -> Iterable[Figure]:
    status = sms_status()
    depth, oldest, dead = (float(status[key] or 0) for key in ("queue_depth", "oldest_pending_seconds", "dead_letters"))  # type: ignore[arg-type]
    yield Figure(name="gddt_sms_queue_depth", help="Messages waiting to be sent.", values={(): depth})
    yield Figure(
        name="gddt_sms_oldest_pending_seconds",
        help="Age of the oldest message waiting (0: none).",
        values={(): oldest},
    )
    yield Figure(
        name="gddt_sms_dead_letters",
        help="Messages given up on, waiting for `gddt sms retry`.",
        values={(): dead},
    )


def metrics_register() -> None:
    metrics_collector_register(name="notifications", collect=sms_figures)
