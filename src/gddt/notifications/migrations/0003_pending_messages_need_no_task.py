from django.db import migrations
from django.db.models import Q
from django.utils import timezone


def forwards(apps, schema_editor):
    """The outbox is the queue now: pending messages are due at once (old leases and backoffs end), permanent
    failures are dead letters, and the per-message delivery tasks that are still queued are dropped (their function
    is gone; the delivery loop takes the messages from the outbox)."""
    SmsMessage = apps.get_model("notifications", "SmsMessage")
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    now = timezone.now()
    SmsMessage.objects.filter(status="pending").filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__gt=now)
                                                       ).update(next_attempt_at=now)
    SmsMessage.objects.filter(status="failed").update(status="dead", dead_at=now)
    DBTaskResult.objects.filter(task_path="gddt.notifications.tasks.sms_deliver").delete()


def backwards(apps, schema_editor):
    SmsMessage = apps.get_model("notifications", "SmsMessage")
    SmsMessage.objects.filter(status="dead").update(status="failed")
    SmsMessage.objects.filter(status__in=["delivered", "undelivered"]).update(status="sent")


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0002_outbox_is_the_queue"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
