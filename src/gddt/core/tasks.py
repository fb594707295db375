from django_tasks import task

from gddt.core.idempotency import idempotency_prune


@task()
def idempotency_prune_job() -> int:
    return idempotency_prune()
