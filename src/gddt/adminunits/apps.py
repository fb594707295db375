from collections.abc import Mapping

from django.apps import AppConfig


def _reference_data_load() -> Mapping[str, int]:
    from gddt.adminunits.services import admin_units_load

    provinces, wards = admin_units_load()
    return {"provinces": provinces, "wards": wards}


class AdminunitsConfig(AppConfig):
    name = "gddt.adminunits"
    label = "adminunits"

    def ready(self) -> None:
        from gddt.core.registry import reference_data_register

        reference_data_register(name=self.label, load=_reference_data_load)
