from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.utils import timezone

from gddt.accounts import services
from gddt.accounts.models import Role
from gddt.core.errors import Problem


def _command_error(problem: Problem) -> CommandError:
    lines = [f"{e.field}: {e.message}" if e.field else str(e.message) for e in problem.errors]
    return CommandError("nothing done: " + ("; ".join(lines) if lines else str(problem.title)))


class Command(BaseCommand):
    help = ("Manage officers: `gddt officer create USERNAME --office CODE --role ROLE [--role ROLE] [--password P] "
            "[--full-name NAME]`, `gddt officer token USERNAME [--days N]`, `gddt officer revoke-tokens USERNAME`, "
            "`gddt officer otp-reset USERNAME`.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create an officer of an office with roles there")
        create.add_argument("username")
        create.add_argument("--office", required=True, metavar="CODE", help="the code of the officer's office")
        create.add_argument("--role", required=True, action="append", dest="roles", metavar="ROLE",
                            help=f"a role at that office, repeatable: {', '.join(Role.values)}")
        create.add_argument("--password", help="without it a strong password is generated and printed once")
        create.add_argument("--full-name", default="", dest="full_name")
        token = sub.add_parser("token", help="print a new API token of an officer")
        token.add_argument("username")
        token.add_argument("--days", type=int, default=None, help="lifetime in days (default GDDT_API_TOKEN_DAYS)")
        revoke = sub.add_parser("revoke-tokens", help="revoke every API token of an officer")
        revoke.add_argument("username")
        otp_reset = sub.add_parser("otp-reset", help="forget the officer's authenticator app (a lost phone) and print "
                                   "an enrolment code for setting up a new one")
        otp_reset.add_argument("username")

    @no_translations  # operators' messages, in English like the other commands
    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, "_" + action.replace("-", "_"))(**options)
        except Problem as problem:
            raise _command_error(problem) from None

    def _create(self, *, username: str, office: str, roles: list[str], password: str | None, full_name: str,
                **_options) -> None:
        registered = services.officer_register(username=username, office_code=office, roles=roles,
                                               password=password, full_name=full_name)
        self.stdout.write(f"created officer {registered.officer.username} at office {office} with roles "
                          f"{', '.join(roles)}")
        if not password:
            self.stdout.write(f"password: {registered.password}")
        self._enrolment_code(registered.enrolment)
        self.stdout.write("(shown once: hand them to the officer in person; at the first sign-in the enrolment code "
                          "opens the set-up of the authenticator app)")

    def _enrolment_code(self, enrolment: services.EnrolmentCodeIssued) -> None:
        until = timezone.localtime(enrolment.expires_at).strftime("%Y-%m-%d %H:%M %Z")
        self.stdout.write(f"enrolment code: {enrolment.code}")
        self.stdout.write(f"(works once, until {until})")

    def _token(self, *, username: str, days: int | None, **_options) -> None:
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1")
        self.stdout.write(services.officer_token_issue(username=username, days=days))

    def _revoke_tokens(self, *, username: str, **_options) -> None:
        count = services.officer_tokens_revoke(username=username)
        self.stdout.write(f"revoked {count} token(s) of {username}")

    def _otp_reset(self, *, username: str, **_options) -> None:
        reopened = services.officer_otp_reset(username=username)
        self.stdout.write(f"removed {reopened.removed} authenticator(s) of {username}; the next sign-in sets up a "
                          "new one with this enrolment code")
        self._enrolment_code(reopened.enrolment)
