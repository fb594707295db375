"""`gddt archive export --from DATE --to DATE DIR`: the archives of the dossiers approved in the period (both days
included, in Asia/Ho_Chi_Minh time), decrypted into DIR as <dossier_no>.zip, with an index.csv, for a records
office. Each archive is checked against its SHA-256 on the way; a damaged or missing one is named, the others are
still written, and the command fails at the end."""

import csv
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from gddt.archives.selectors import dossiers_approved_between
from gddt.archives.services import ArchiveDamaged, archive_content
from gddt.audit.services import audit_record
from gddt.registrations.numbers import dossier_number_format

INDEX_COLUMNS = ["dossier_no", "approved_at", "completed_office", "file", "sha256", "size", "archive_created_at"]


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"{option} {text!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-12-31") from None


def _write_whole(target: Path, content: bytes) -> None:
    """Writes `content` to `target` through a temporary file in the same folder: never a half-written zip."""
    descriptor, draft = tempfile.mkstemp(dir=target.parent, prefix=".export-")
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(draft, target)
    except BaseException:
        Path(draft).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = "The archived records of approved dossiers, for a records office."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser(
            "export", help="write the archives of the dossiers approved in a period into DIR, with index.csv"
        )
        export.add_argument("--from", dest="first", required=True, help="first day of approval, YYYY-MM-DD")
        export.add_argument("--to", dest="last", required=True, help="last day of approval (included), YYYY-MM-DD")
        export.add_argument("dir", help="an existing folder to write into")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        first, last = _day(options["first"], "--from"), _day(options["last"], "--to")
        if first > last:
            raise CommandError(f"--from {first} is after --to {last}")
        folder = Path(options["dir"])
        if not folder.is_dir():
            raise CommandError(f"{folder} is not an existing folder: create it first")
        if not os.access(folder, os.W_OK):
            raise CommandError(f"{folder} is not writable")
        rows: list[dict[str, Any]] = []
        problems: list[str] = []
        for dossier in dossiers_approved_between(first=first, last=last).iterator(chunk_size=200):
            number = dossier_number_format(dossier.number or "")
            archive = getattr(dossier, "archive", None)
            if archive is None:
                problems.append(number)
                self.stderr.write(f"PROBLEM  {number}: no archive yet (the worker makes it after approval)")
                continue
            try:
                content = archive_content(archive=archive)
            except ArchiveDamaged as problem:
                problems.append(number)
                self.stderr.write(f"PROBLEM  {number}: {problem}")
                continue
            _write_whole(folder / f"{number}.zip", content)
            rows.append(
                {
                    "dossier_no": number,
                    "approved_at": timezone.localtime(dossier.approved_at).isoformat(),
                    "completed_office": dossier.completed_office.code if dossier.completed_office else "",
                    "file": f"{number}.zip",
                    "sha256": archive.sha256,
                    "size": archive.size,
                    "archive_created_at": timezone.localtime(archive.created_at).isoformat(),
                }
            )
        index = folder / "index.csv"
        with open(index, "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=INDEX_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        with transaction.atomic():  # a copy of personal data left the service: the audit trail says so
            audit_record(
                action="archive.export",
                detail={
                    "from": first.isoformat(),
                    "to": last.isoformat(),
                    "dir": str(folder.resolve()),
                    "written": len(rows),
                    "problems": problems[:100],
                },
            )
        self.stdout.write(f"{len(rows)} archive(s) of dossiers approved {first} to {last} written to {folder}")
        if problems:
            raise CommandError(
                f"{len(problems)} archive(s) not written (named above): {', '.join(problems)}; restore a damaged "
                "archive from a backup, or wait for the worker to make a missing one, then export again"
            )
