from collections.abc import Mapping

from django.apps import AppConfig


def _reference_data_load() -> Mapping[str, int]:
    from gddt.notifications.services import sms_templates_load

    return {"sms_templates_added": sms_templates_load()}


class NotificationsConfig(AppConfig):
    name = "gddt.notifications"
    label = "notifications"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from gddt.core.registry import reference_data_register, worker_loop_register
        from gddt.notifications.delivery import Deliverer
        from gddt.notifications.models import SmsTemplate
        from gddt.notifications.services import sms_templates_forget

        reference_data_register(name=self.label, load=_reference_data_load)
        worker_loop_register(name="sms_delivery", create=Deliverer)
        from gddt.notifications.metrics import metrics_register

        metrics_register()  # its figures in GET /metrics
        # The per-process copy of the templates is forgotten whenever one is edited (a cache, not a rule).
        post_save.connect(sms_templates_forget, sender=SmsTemplate, dispatch_uid="sms_templates_forget_save")
        post_delete.connect(sms_templates_forget, sender=SmsTemplate, dispatch_uid="sms_templates_forget_delete")
