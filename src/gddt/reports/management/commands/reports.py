from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from gddt.reports.services import report_figures_rebuild, report_figures_refresh


class Command(BaseCommand):
    help = (
        "The report figures: `gddt reports rebuild [--from YYYY-MM-DD]` recomputes them from the dossiers' "
        "transitions (all days, or from that day on); `gddt reports refresh` folds in what was recorded since "
        "the last run, as the worker does every scheduler slot."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="recompute the report aggregates from the dossiers' transitions")
        rebuild.add_argument(
            "--from", dest="since", metavar="YYYY-MM-DD", help="only the days from this one on (Asia/Ho_Chi_Minh)"
        )
        sub.add_parser("refresh", help="fold in the transitions and documents recorded since the last run")

    @no_translations  # operators' messages, in English like the other commands
    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "refresh":
            self.stdout.write(f"folded in {report_figures_refresh()} transitions and documents")
            return
        since = None
        if options.get("since"):
            try:
                since = date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError("nothing done: --from must be a real date written YYYY-MM-DD") from None
        done = report_figures_rebuild(since=since)
        scope = f"from {since.isoformat()}" if since else "all days"
        self.stdout.write(
            f"rebuilt the report figures ({scope}): {done.transitions} transitions, "
            f"{done.documents} documents, {done.backlog_rows} backlog rows"
        )
