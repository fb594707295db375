from collections.abc import Mapping

from django.apps import AppConfig


def _reference_data_load() -> Mapping[str, int]:
    from gddt.notifications.services import sms_templates_load

    return {"sms_templates_added": sms_templates_load()}


class NotificationsConfig(AppConfig):
    name = "gddt.notifications"
    label = "notifications"

    def ready(self) -> None:
        from gddt.core.registry import periodic_job_register, reference_data_register
        from gddt.notifications.tasks import sms_sweep_job

        reference_data_register(name=self.label, load=_reference_data_load)
        periodic_job_register(name="sms_sweep", job=sms_sweep_job)
