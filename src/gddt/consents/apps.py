from collections.abc import Mapping

from django.apps import AppConfig


def _reference_data_load() -> Mapping[str, int]:
    from gddt.consents.texts import consent_texts_load

    return {"consent_texts_added": consent_texts_load()}


class ConsentsConfig(AppConfig):
    name = "gddt.consents"
    label = "consents"

    def ready(self) -> None:
        from gddt.consents.reference import consent_forget_on_change
        from gddt.core.registry import reference_data_register

        # Migration 0002 seeds version 1 once; later versions are an administrator's, so `gddt init` leaves them
        # alone and only a reload after a flush (tests) puts version 1 back.
        reference_data_register(name=self.label, load=_reference_data_load, on_init=False)
        consent_forget_on_change()
