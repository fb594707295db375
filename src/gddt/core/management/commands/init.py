from django.core.management.base import BaseCommand

from gddt.core.services import system_init


class Command(BaseCommand):
    help = "Migrate the database and load the reference data (offices, administrative units); safe to run again."

    def handle(self, *args, **options):
        counts = system_init()
        self.stdout.write(
            f"ready: {counts['provinces']} provinces, {counts['wards']} communes, {counts['offices']} offices"
        )
