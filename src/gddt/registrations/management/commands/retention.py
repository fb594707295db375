"""`gddt retention run [--dry-run]`: purges what the retention settings say is due (registrations/retention.py),
printing each dossier that goes by its number, status, decision date and count of files; never a name or an ID.
With --dry-run it only prints. Safe to stop and run again: each dossier is purged whole or not at all."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from gddt.registrations.numbers import dossier_number_format
from gddt.registrations.retention import DuePurge, dossier_purge, dossiers_due_for_purge


def _period(days: int | None) -> str:
    return "kept" if days is None else f"{days} days"


class Command(BaseCommand):
    help = "Purge the documents and personal data of the dossiers whose retention period has ended."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        run = actions.add_parser("run", help="purge what is due now (documents and personal data)")
        run.add_argument("--dry-run", action="store_true", help="print what would go, change nothing")

    def handle(self, *args: Any, action: str, dry_run: bool = False, **options: Any) -> None:
        self.stdout.write(
            "retention: rejected "
            f"{_period(settings.GDDT_RETENTION_REJECTED_DAYS)}, expired "
            f"{_period(settings.GDDT_RETENTION_EXPIRED_DAYS)}, approved "
            f"{_period(settings.GDDT_RETENTION_COMPLETED_DAYS)} after the decision"
        )
        now = timezone.now()
        dossiers = files = failed = 0
        for due in dossiers_due_for_purge(now=now):
            try:
                if not dry_run and not dossier_purge(dossier_id=due.dossier_id, now=now):
                    continue  # purged or changed meanwhile (another run, a reopening)
            except Exception as error:  # this dossier stays as it was; the others go on
                self.stderr.write(f"PROBLEM  {self._line(due)}: {type(error).__name__}: {error}")
                failed += 1
                continue
            self.stdout.write(self._line(due))
            dossiers += 1
            files += due.files
        verb = "would purge" if dry_run else "purged"
        self.stdout.write(
            f"{verb} {dossiers} dossier(s), {files} file(s)" + (" (dry run: nothing changed)" if dry_run else "")
        )
        if failed:
            raise CommandError(f"{failed} dossier(s) could not be purged (named above): run it again once fixed")

    @staticmethod
    def _line(due: DuePurge) -> str:
        decided = timezone.localtime(due.decided_at).date().isoformat()
        return f"{dossier_number_format(due.number)}  {due.status:<8}  decided {decided}  {due.files} file(s)"
