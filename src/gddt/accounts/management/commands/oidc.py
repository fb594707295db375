"""`gddt oidc client add NAME --redirect-uri URI [--redirect-uri URI] [--public]`: register a client of the OpenID
Connect provider; prints its client_id, and the client_secret of a confidential client (shown this once only)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from gddt.accounts.oidc import oidc_client_add
from gddt.core.errors import Problem


class Command(BaseCommand):
    help = "Manage the OpenID Connect provider's clients: `gddt oidc client add NAME --redirect-uri URI [--public]`."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True)
        client = kinds.add_parser("client", help="the clients (VssID and other VSS services)")
        actions = client.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="register a client of the authorization code flow (PKCE for a public one)")
        add.add_argument("name")
        add.add_argument(
            "--redirect-uri",
            required=True,
            action="append",
            dest="redirect_uris",
            metavar="URI",
            help="where the client receives the code, matched exactly; repeatable",
        )
        add.add_argument(
            "--public",
            action="store_true",
            help="a phone or browser app that can keep no secret: no client_secret, PKCE required",
        )

    @no_translations  # operators' messages, in English like the other commands
    def handle(
        self, *args: Any, kind: str, action: str, name: str, redirect_uris: list[str], public: bool, **options: Any
    ) -> None:
        try:
            client = oidc_client_add(name=name, redirect_uris=redirect_uris, public=public)
        except Problem as problem:
            lines = [f"{e.field}: {e.message}" if e.field else str(e.message) for e in problem.errors]
            raise CommandError("nothing done: " + ("; ".join(lines) or str(problem.title))) from None
        self.stdout.write(f"client_id: {client.client_id}")
        if client.client_secret is not None:
            self.stdout.write(f"client_secret: {client.client_secret}")
            self.stderr.write("The client_secret is shown this once: only its hash is kept.")
        else:
            self.stdout.write("public client: no secret; PKCE (S256) is required")
