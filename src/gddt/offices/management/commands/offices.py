from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gddt.offices.services import OfficeImportFailed, offices_import_csv


class Command(BaseCommand):
    help = "Manage offices: `gddt offices import FILE.csv` (columns code, name, parent_code)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import local offices from a CSV file; all rows or none")
        imp.add_argument("file")

    def handle(self, *args: Any, action: str, file: str, **options: Any) -> None:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not UTF-8 text") from None
        try:
            created, updated = offices_import_csv(text=text)
        except OfficeImportFailed as error:
            raise CommandError("nothing imported:\n" + "\n".join(str(e) for e in error.errors)) from None
        self.stdout.write(f"imported: {created} new offices, {updated} updated")
