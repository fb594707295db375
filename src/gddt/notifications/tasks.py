"""The periodic job of the outbox. Delivery itself is no task: the workers' delivery loops (delivery.py) claim
messages from the outbox directly."""

from django_tasks import task

from gddt.notifications.services import sms_alert_sweep


@task()
def sms_sweep_job() -> int:
    """Warns about messages waiting longer than GDDT_SMS_ALERT_MINUTES (once per message)."""
    return sms_alert_sweep()
