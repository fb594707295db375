"""A small SMTP server on 127.0.0.1 for the email tests: it speaks enough of RFC 5321 (EHLO, AUTH PLAIN, MAIL,
RCPT, DATA, RSET, NOOP, QUIT) for Python's smtplib, records every accepted mail, and answers a recipient with the
reply its test sets (`refuse["a@b.vn"] = "550 no such user"`), so that the email provider meets a real server."""

import base64
import socketserver
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: Message


@dataclass
class SmtpState:
    mails: list[Mail] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # recipient -> reply line, e.g. "451 try later"


class _Session(socketserver.StreamRequestHandler):
    state: SmtpState

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 gddt-test ESMTP")
        sender, recipients = "", []
        while line := self.rfile.readline():
            command, _, argument = line.decode().rstrip("\r\n").partition(" ")
            verb = command.upper()
            if verb == "EHLO":
                self.reply("250-gddt-test")
                self.reply("250 AUTH PLAIN")
            elif verb == "HELO":
                self.reply("250 gddt-test")
            elif verb == "AUTH":
                _user, login, password = base64.b64decode(argument.split(" ", 1)[1]).decode().split("\0")
                self.state.logins.append((login, password))
                self.reply("235 accepted")
            elif verb == "MAIL":
                sender, recipients = argument.split(":", 1)[1].strip(" <>"), []
                self.reply("250 ok")
            elif verb == "RCPT":
                recipient = argument.split(":", 1)[1].strip(" <>")
                if recipient in self.state.refuse:
                    self.reply(self.state.refuse[recipient])
                else:
                    recipients.append(recipient)
                    self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                body = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body += chunk[1:] if chunk.startswith(b"..") else chunk
                self.state.mails.append(Mail(sender, recipients, message_from_bytes(body)))
                self.reply("250 queued")
            elif verb in {"RSET", "NOOP"}:
                self.reply("250 ok")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class SmtpStub:
    """`with SmtpStub() as smtp:` serves on `smtp.port` until the block ends; `smtp.state` is what it received."""

    def __init__(self) -> None:
        self.state = SmtpState()
        handler = type("Session", (_Session,), {"state": self.state})
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def __enter__(self) -> "SmtpStub":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
