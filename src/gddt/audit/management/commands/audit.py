"""`gddt audit export --from DATE --to DATE [--officer U] [--office CODE] FILE`: the audit events of a period as
CSV (UTF-8), to investigate who looked at what (docs/operator.md, "Personal data breach: the 72-hour procedure")."""

import contextlib
import os
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gddt.accounts.models import User
from gddt.audit.services import audit_export
from gddt.offices.models import Office


def _day(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-30") from None


class Command(BaseCommand):
    help = "Export the audit log: `gddt audit export --from DATE --to DATE [--officer U] [--office CODE] FILE`."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser(
            "export",
            help="write the events of a period as CSV (UTF-8): time, officer, office, action, dossier, target, "
            "client address, detail",
        )
        export.add_argument("--from", dest="first", required=True, metavar="DATE", help="first day (YYYY-MM-DD)")
        export.add_argument("--to", dest="last", required=True, metavar="DATE", help="last day, included")
        export.add_argument("--officer", metavar="U", help="only this user's actions (a username)")
        export.add_argument("--office", metavar="CODE", help="only what was done at this office")
        export.add_argument("file", metavar="FILE", help="the CSV file to write (it must not exist), or - for stdout")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        first_day = _day("--from", options["first"])
        last_day = _day("--to", options["last"])
        if last_day < first_day:
            raise CommandError(f"--to: {last_day} is before --from {first_day}")
        actor = None
        if options["officer"] is not None:
            actor = User.objects.filter(username=options["officer"]).first()
            if actor is None:
                raise CommandError(f"--officer: there is no user named {options['officer']!r}")
        office = None
        if options["office"] is not None:
            office = Office.objects.filter(code=options["office"]).first()
            if office is None:
                raise CommandError(f"--office: there is no office with the code {options['office']!r}")
        if options["file"] == "-":
            rows = audit_export(first_day=first_day, last_day=last_day, actor=actor, office=office, out=self.stdout)
            self.stderr.write(f"{rows} event(s)")
            return
        rows = self._to_file(Path(options["file"]), first_day=first_day, last_day=last_day, actor=actor, office=office)
        self.stdout.write(f"{rows} event(s) from {first_day} to {last_day} written to {options['file']}")

    @staticmethod
    def _to_file(target: Path, **criteria: Any) -> int:
        """Written under a temporary name beside FILE and renamed at the end: FILE is whole or absent, and an
        existing file (an earlier export, kept as evidence) is never overwritten."""
        if target.exists():
            raise CommandError(f"FILE: {target} exists; choose another name (an earlier export is never overwritten)")
        if not target.parent.is_dir():
            raise CommandError(f"FILE: the folder {target.parent} does not exist")
        draft = target.with_name(f".{target.name}.{os.getpid()}.partial")
        try:
            with draft.open("x", encoding="utf-8", newline="") as out:
                rows = audit_export(out=out, **criteria)
            os.link(draft, target)  # fails rather than replace a file that appeared meanwhile
        except FileExistsError:
            raise CommandError(f"FILE: {target} exists; choose another name") from None
        except OSError as error:
            raise CommandError(f"FILE: cannot write {target} ({error.strerror})") from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                draft.unlink()
        return rows
