"""`gddt check`: the database, its migrations, the storage (a probe object written, read and deleted), the SMS
provider's settings and what several nodes must share; then Django's own system checks. Each problem is named on
standard error, and the command exits 1 if there is any."""

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.core.management.commands import check as django_check

from gddt.core.checks import deployment_check


class Command(django_check.Command):
    help = (
        "Check the database, migrations, storage and SMS provider of this node, then Django's system checks; "
        "exit 1 naming each problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--system-only", action="store_true", help="only Django's system checks")

    def handle(self, *app_labels: Any, **options: Any) -> None:
        problems: list[str] = []
        if not options["system_only"] and not options["list_tags"]:
            for finding in deployment_check():
                if finding.ok and not finding.problems:
                    self.stdout.write(f"ok       {finding.name}: {finding.ok}")
                for note in finding.notes:
                    self.stdout.write(f"note     {finding.name}: {note}")
                for problem in finding.problems:
                    self.stderr.write(f"PROBLEM  {finding.name}: {problem}")
                    problems.append(f"{finding.name}: {problem}")
        super().handle(*app_labels, **options)
        if problems:
            raise CommandError(f"{len(problems)} problem{'s' if len(problems) > 1 else ''} found")
