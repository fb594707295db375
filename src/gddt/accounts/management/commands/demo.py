from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, no_translations

from gddt.accounts import demo


class Command(BaseCommand):
    help = (
        "Demo offices and officers with known passwords and enrolment codes (safe to run again). Never on a "
        "production system."
    )

    @no_translations  # operators' messages, in English like the other commands
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            accounts = demo.demo_load()
        except demo.DemoNotReady:
            raise CommandError("the reference offices are missing: run `gddt init` first") from None
        rows = [("username", "office", "roles", "password", "enrolment code")]
        rows += [
            (
                a.username,
                f"{a.office_code} {a.office_name}",
                ",".join(a.roles),
                a.password,
                a.enrolment_code or "(authenticator set up)",
            )
            for a in accounts
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("Demo officers (known passwords: for demonstrations only):")
        for number, row in enumerate(rows):
            self.stdout.write("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
            if number == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
        site = (settings.SITE_URL or "http://127.0.0.1:8000").rstrip("/")
        self.stdout.write("")
        self.stdout.write(f"Sign in at {site}/can-bo/dang-nhap/")
        self.stdout.write("First sign-in of an officer: username and password, then the enrolment code above,")
        self.stdout.write("then scan the QR code shown with an authenticator app (Google Authenticator, FreeOTP...).")
        self.stdout.write("An enrolment code works once, for 24 hours; `gddt demo` again prints new ones.")
        self.stdout.write("API token for an officer: gddt officer token USERNAME")
