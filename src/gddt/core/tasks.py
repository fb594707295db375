from django_tasks import task

from gddt.core.idempotency import idempotency_prune
from gddt.core.throttle import throttle_prune


@task()
def idempotency_prune_job() -> int:
    """Old idempotency keys and rate-limit counters: both only matter for a day."""
    return idempotency_prune() + throttle_prune()
