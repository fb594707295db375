"""`gddt backup FILE`: the embedded database and the private files, consistent while the service serves."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gddt.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the embedded database, the private files and the keys into FILE (a .tar.gz), while serving."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            summary = backup_create(target=file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"backed up {summary.files} files ({summary.bytes:,} bytes) to {summary.path}")
