from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from gddt.core.services import system_init


class Command(BaseCommand):
    help = (
        "Migrate the database, load the reference data (offices, administrative units) and collect the static "
        "files (hashed names, compressed copies); safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = system_init()
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            f"ready: {counts['provinces']} provinces, {counts['wards']} communes, {counts['offices']} offices"
        )
