from django_tasks import task

from gddt.notifications.services import sms_deliver_one, sms_sweep


@task()
def sms_deliver(message_id: int) -> str:
    return sms_deliver_one(message_id=message_id)


@task()
def sms_sweep_job() -> int:
    return sms_sweep()
