"""Setting up an installation: migrations and the reference data that the apps registered with core."""

from io import StringIO

from django.core.management import call_command

from gddt.core.reference import reference_caches_forget
from gddt.core.registry import reference_data_loaders


def system_init() -> dict[str, int]:
    """Migrations and reference data; safe to run again. Answers the loaders' counts, e.g. {"offices": 35}."""
    call_command("migrate", interactive=False, verbosity=0, stdout=StringIO())
    counts: dict[str, int] = {}
    for loader in reference_data_loaders():
        if loader.on_init:
            counts.update(loader.load())
    reference_caches_forget()
    return counts


def reference_data_load() -> None:
    """The reference data that `gddt init` loads, and what migrations seeded, without migrating: used after a flush
    (tests)."""
    for loader in reference_data_loaders():
        loader.load()
    reference_caches_forget()
