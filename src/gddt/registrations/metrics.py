"""The registrations' figures for GET /metrics (core/metrics.py): dossiers by status, read from the database, and
the transitions per action, counted when their transaction commits."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.db.models.signals import post_save

from gddt.core.metrics import Figure, metrics_collector_register, metrics_counter
from gddt.registrations.models import Dossier, Status, Transition

TRANSITIONS = metrics_counter(
    name="gddt_dossier_transitions", help="Dossier transitions committed, by action.", labels=("action",)
)


def dossier_figures() -> Iterable[Figure]:
    """How many dossiers are in each state (every state named, at 0 when none)."""
    counts = {status.value: 0 for status in Status}
    for row in Dossier.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    yield Figure(
        name="gddt_dossiers",
        help="Dossiers by status.",
        labels=("status",),
        values={(status,): float(n) for status, n in counts.items()},
    )


def _transition_counted(sender: type[Transition], instance: Transition, created: bool, **kwargs: Any) -> None:
    if created:
        action = instance.action
        transaction.on_commit(lambda: TRANSITIONS.labels(action).inc())


def metrics_register() -> None:
    metrics_collector_register(name="registrations", collect=dossier_figures)
    post_save.connect(_transition_counted, sender=Transition, dispatch_uid="gddt_metrics_transition_counted")
