from collections.abc import Mapping

from django.apps import AppConfig


def _reference_data_load() -> Mapping[str, int]:
    from gddt.offices.services import offices_load_reference

    return {"offices": offices_load_reference()}


class OfficesConfig(AppConfig):
    name = "gddt.offices"
    label = "offices"

    def ready(self) -> None:
        from gddt.core.registry import reference_data_register

        # A provincial office points at its province.
        reference_data_register(name=self.label, load=_reference_data_load, after=("adminunits",))
