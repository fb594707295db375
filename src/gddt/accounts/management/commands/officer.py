"""`gddt officer`: create officers, hand out API tokens and enrolment codes, reset a lost authenticator."""

import getpass
import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.utils import timezone

from gddt.accounts import services
from gddt.accounts.models import Role
from gddt.core.errors import Problem


def _command_error(problem: Problem) -> CommandError:
    lines = [f"{e.field}: {e.message}" if e.field else str(e.message) for e in problem.errors]
    return CommandError("nothing done: " + ("; ".join(lines) if lines else str(problem.title)))


_PROMPT = object()  # `--password` without a value: ask for it


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""


def _non_empty(password: str, message: str) -> str:
    if not password:
        raise CommandError(f"nothing done: {message}")
    return password


class Command(BaseCommand):
    help = (
        "Manage officers: `gddt officer create USERNAME --office CODE --role ROLE [--role ROLE] "
        "[--password | --password-file FILE | --password-stdin] [--full-name NAME]`, "
        "`gddt officer token USERNAME [--days N]`, `gddt officer revoke-tokens USERNAME`, "
        "`gddt officer otp-reset USERNAME`."
    )
    stealth_options = ("stdin",)  # tests hand standard input in

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create an officer of an office with roles there")
        create.add_argument("username")
        create.add_argument("--office", required=True, metavar="CODE", help="the code of the officer's office")
        create.add_argument(
            "--role",
            required=True,
            action="append",
            dest="roles",
            metavar="ROLE",
            help=f"a role at that office, repeatable: {', '.join(Role.values)}",
        )
        secret = create.add_mutually_exclusive_group()
        secret.add_argument(
            "--password",
            nargs="?",
            const=_PROMPT,
            default=None,
            metavar="P",
            help="alone: asked at a prompt (not echoed). A value given here shows in the process "
            "list and the shell history: avoid it. With no password option a strong password "
            "is generated and printed once",
        )
        secret.add_argument(
            "--password-file",
            metavar="FILE",
            dest="password_file",
            help="read the password from the first line of FILE",
        )
        secret.add_argument(
            "--password-stdin",
            action="store_true",
            dest="password_stdin",
            help="read the password from the first line of standard input",
        )
        create.add_argument("--full-name", default="", dest="full_name")
        token = sub.add_parser("token", help="print a new API token of an officer")
        token.add_argument("username")
        token.add_argument("--days", type=int, default=None, help="lifetime in days (default GDDT_API_TOKEN_DAYS)")
        revoke = sub.add_parser("revoke-tokens", help="revoke every API token of an officer")
        revoke.add_argument("username")
        otp_reset = sub.add_parser(
            "otp-reset",
            help="forget the officer's authenticator app (a lost phone) and print "
            "an enrolment code for setting up a new one",
        )
        otp_reset.add_argument("username")

    @no_translations  # operators' messages, in English like the other commands
    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, "_" + action.replace("-", "_"))(**options)
        except Problem as problem:
            raise _command_error(problem) from None

    def _create(
        self,
        *,
        username: str,
        office: str,
        roles: list[str],
        password: str | object | None,
        password_file: str | None,
        password_stdin: bool,
        full_name: str,
        **options: Any,
    ) -> None:
        given = self._password_read(password, password_file, password_stdin, options.get("stdin") or sys.stdin)
        registered = services.officer_register(
            username=username, office_code=office, roles=roles, password=given, full_name=full_name
        )
        self.stdout.write(
            f"created officer {registered.officer.username} at office {office} with roles {', '.join(roles)}"
        )
        if not given:
            self.stdout.write(f"password: {registered.password}")
        self._enrolment_code(registered.enrolment)
        self.stdout.write(
            "(shown once: hand them to the officer in person; at the first sign-in the enrolment code "
            "opens the set-up of the authenticator app)"
        )

    def _password_read(
        self, password: str | object | None, password_file: str | None, password_stdin: bool, stdin: TextIO
    ) -> str | None:
        """The password to give the new officer, from wherever the operator chose; None: generate one."""
        if password is _PROMPT:
            typed = getpass.getpass("Password: ")
            if typed != getpass.getpass("Password (again): "):
                raise CommandError("nothing done: the two passwords typed differ")
            return _non_empty(typed, "the password typed is empty")
        if isinstance(password, str):
            self.stderr.write(
                "warning: a password given as an argument shows in the process list and the shell "
                "history; use --password alone (a prompt), --password-file or --password-stdin"
            )
            return password
        if password_file:
            try:
                text = Path(password_file).read_text(encoding="utf-8")
            except (OSError, UnicodeError) as error:
                raise CommandError(f"nothing done: --password-file: cannot read {password_file}: {error}") from None
            return _non_empty(_first_line(text), f"--password-file: {password_file} holds no password")
        if password_stdin:
            return _non_empty(_first_line(stdin.readline()), "--password-stdin: standard input holds no password")
        return None

    def _enrolment_code(self, enrolment: services.EnrolmentCodeIssued) -> None:
        until = timezone.localtime(enrolment.expires_at).strftime("%Y-%m-%d %H:%M %Z")
        self.stdout.write(f"enrolment code: {enrolment.code}")
        self.stdout.write(f"(works once, until {until})")

    def _token(self, *, username: str, days: int | None, **_options: Any) -> None:
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1")
        self.stdout.write(services.officer_token_issue(username=username, days=days))

    def _revoke_tokens(self, *, username: str, **_options: Any) -> None:
        count = services.officer_tokens_revoke(username=username)
        self.stdout.write(f"revoked {count} token(s) of {username}")

    def _otp_reset(self, *, username: str, **_options: Any) -> None:
        reopened = services.officer_otp_reset(username=username)
        self.stdout.write(
            f"removed {reopened.removed} authenticator(s) of {username}; the next sign-in sets up a "
            "new one with this enrolment code"
        )
        self._enrolment_code(reopened.enrolment)
