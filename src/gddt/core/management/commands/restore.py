"""`gddt restore FILE`: a backup into an empty data dir; a damaged archive is refused and changes nothing."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gddt.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a `gddt backup` archive into this node's empty data dir (GDDT_DATA_DIR), after checking it."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file} is not a file")
        try:
            restored = backup_restore(archive_path=file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"restored {restored} files into {settings.DATA_DIR}; start it with `gddt serve` (it "
            "applies any newer migrations)"
        )
