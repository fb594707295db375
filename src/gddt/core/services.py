from io import StringIO

from django.core.management import call_command

from gddt.adminunits.services import admin_units_load
from gddt.notifications.services import sms_templates_load
from gddt.offices.services import offices_load_reference


def system_init() -> dict[str, int]:
    """Migrations and reference data; safe to run again."""
    call_command("migrate", interactive=False, verbosity=0, stdout=StringIO())
    provinces, wards = admin_units_load()
    offices = offices_load_reference()
    templates = sms_templates_load()
    return {"provinces": provinces, "wards": wards, "offices": offices, "sms_templates_added": templates}


def reference_data_load() -> None:
    """The reference data that `gddt init` loads, without migrating: used after a flush (tests)."""
    from django.apps import apps

    from gddt.registrations.migrations import _components

    admin_units_load()
    offices_load_reference()
    sms_templates_load()
    _components.components_load(apps)
