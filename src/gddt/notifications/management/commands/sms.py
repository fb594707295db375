"""`gddt sms status | dead | retry ID|--all`: the outbox for an operator."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gddt.notifications.selectors import sms_dead_letters, sms_status
from gddt.notifications.services import sms_retry


class Command(BaseCommand):
    help = "The SMS outbox: its state, the dead letters, and putting dead letters back in the queue."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        status = commands.add_parser("status", help="queue depth, oldest pending, sent/delivered/failed/dead")
        status.add_argument("--json", action="store_true", help="one JSON object instead of a table")
        dead = commands.add_parser("dead", help="the dead letters (masked phone, never the text)")
        dead.add_argument("--json", action="store_true", help="one JSON object a line")
        retry = commands.add_parser("retry", help="put dead letters back in the queue")
        retry.add_argument("ids", nargs="*", type=int, metavar="ID")
        retry.add_argument("--all", action="store_true", help="every dead letter")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "status":
            self._status(as_json=options["json"])
        elif action == "dead":
            self._dead(as_json=options["json"])
        else:
            if bool(options["ids"]) == bool(options["all"]):
                raise CommandError("give the ids of dead letters, or --all")
            count = sms_retry(message_ids=None if options["all"] else options["ids"])
            self.stdout.write(f"{count} message(s) back in the queue")

    def _status(self, *, as_json: bool) -> None:
        state = sms_status()
        if as_json:
            self.stdout.write(json.dumps(state))
            return
        oldest = state["oldest_pending_seconds"]
        self.stdout.write(
            f"queue depth: {state['queue_depth']}; oldest pending: "
            f"{'-' if oldest is None else f'{oldest} s'}; dead letters: {state['dead_letters']}"
        )
        providers: dict[str, dict[str, dict[str, int]]] = state["providers"]  # type: ignore[assignment]
        self.stdout.write(f"{'provider':<10} {'window':<6} {'sent':>7} {'delivered':>10} {'failed':>7} {'dead':>6}")
        for name, windows in providers.items():
            for window, figures in windows.items():
                self.stdout.write(
                    f"{name:<10} {window:<6} {figures['sent']:>7} {figures['delivered']:>10} "
                    f"{figures['failed']:>7} {figures['dead']:>6}"
                )

    def _dead(self, *, as_json: bool) -> None:
        letters = sms_dead_letters()
        for letter in letters:
            if as_json:
                dead_at = letter.dead_at.isoformat() if letter.dead_at else None
                self.stdout.write(json.dumps({**letter.__dict__, "dead_at": dead_at}))
            else:
                self.stdout.write(
                    f"{letter.id}\t{letter.reference}\t{letter.channel}/{letter.provider or '-'}\t"
                    f"{letter.template}\t{letter.to_masked}\t{letter.attempts} attempt(s)\t"
                    f"{letter.last_error}"
                )
        if not letters and not as_json:
            self.stdout.write("no dead letters")
