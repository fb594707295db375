"""Reading the outbox for operators: the queue's state, the figures per provider, the dead letters."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min
from django.utils import timezone

from gddt.notifications.models import SmsMessage, SmsStatus

WINDOWS = {"hour": timedelta(hours=1), "day": timedelta(days=1)}


def address_mask(to: str) -> str:
    """A phone as 091****678, an email as n***@example.vn: enough to tell messages apart, not to reach anyone."""
    if "@" in to:
        name, _, domain = to.partition("@")
        return f"{name[:1]}***@{domain}"
    return f"{to[:3]}{'*' * max(0, len(to) - 6)}{to[-3:]}" if len(to) > 6 else "*" * len(to)


@dataclass(frozen=True)
class DeadLetter:
    id: int
    reference: str
    channel: str
    template: str
    provider: str
    to_masked: str
    attempts: int
    last_error: str
    dead_at: datetime | None


def sms_status(*, now: datetime | None = None) -> dict[str, object]:
    """Queue depth, the age of the oldest pending message, and per provider the messages sent, delivered, failed
    (reported undelivered by the gateway) and dead over the last hour and day."""
    now = now or timezone.now()
    pending = SmsMessage.objects.filter(status=SmsStatus.PENDING).aggregate(depth=Count("pk"), oldest=Min("created_at"))
    figures: dict[str, dict[str, dict[str, int]]] = {}
    for window, span in WINDOWS.items():
        since = now - span
        counted = (
            SmsMessage.objects.filter(sent_at__gte=since)
            .values("provider", "status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in counted:
            provider = figures.setdefault(row["provider"] or "-", {})
            entry = provider.setdefault(window, {"sent": 0, "delivered": 0, "failed": 0, "dead": 0})
            entry["sent"] += row["n"]  # every message the provider took, whatever its report said since
            if row["status"] == SmsStatus.DELIVERED:
                entry["delivered"] += row["n"]
            elif row["status"] == SmsStatus.UNDELIVERED:
                entry["failed"] += row["n"]
        dead = SmsMessage.objects.filter(dead_at__gte=since).values("provider").annotate(n=Count("pk")).order_by()
        for row in dead:
            provider = figures.setdefault(row["provider"] or "-", {})
            provider.setdefault(window, {"sent": 0, "delivered": 0, "failed": 0, "dead": 0})["dead"] += row["n"]
    for provider in figures.values():
        for window in WINDOWS:
            provider.setdefault(window, {"sent": 0, "delivered": 0, "failed": 0, "dead": 0})
    oldest = pending["oldest"]
    return {
        "queue_depth": pending["depth"],
        "oldest_pending_seconds": round((now - oldest).total_seconds()) if oldest else None,
        "dead_letters": SmsMessage.objects.filter(status=SmsStatus.DEAD).count(),
        "providers": dict(sorted(figures.items())),
    }


def sms_dead_letters(*, limit: int = 1000) -> list[DeadLetter]:
    """The dead letters, oldest first, with a masked phone and never the text (it may carry a password)."""
    rows = (
        SmsMessage.objects.filter(status=SmsStatus.DEAD)
        .order_by("dead_at", "pk")
        .values("pk", "reference", "channel", "template", "provider", "to", "attempts", "last_error", "dead_at")[:limit]
    )
    return [
        DeadLetter(
            id=row["pk"],
            reference=str(row["reference"]),
            channel=row["channel"],
            template=row["template"],
            provider=row["provider"],
            to_masked=address_mask(row["to"]),
            attempts=row["attempts"],
            last_error=row["last_error"],
            dead_at=row["dead_at"],
        )
        for row in rows
    ]
