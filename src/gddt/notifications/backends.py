"""Message providers behind one interface: `send` answers the provider's message id, or raises a permanent error
(a bad number, a refused request: stop) or a temporary one (retry with backoff). Every provider gets the message's
`reference`, the same on every attempt, so that it can drop a repeat."""

import email.utils
import fcntl
import json
import re
import smtplib
import string
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import httpx
import phonenumbers
from django.conf import settings
from django.core.mail import EmailMessage, get_connection


class PermanentSmsError(Exception):
    """The provider will never take this message (a refused request, a number that does not exist)."""


class InvalidNumberError(PermanentSmsError):
    """The number itself is wrong: no other provider can deliver it either."""


class TemporarySmsError(Exception):
    """Try again later; `retry_after` (seconds) when the provider said how long to wait."""

    def __init__(self, message: str, *, retry_after: float | None = None, provider_down: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.provider_down = provider_down  # the next messages would fail the same way (timeout, refused, 429)


class Provider(Protocol):
    name: str

    def send(self, *, to: str, text: str, reference: str, sent_at: datetime, is_retry: bool) -> str: ...


class FileBackend:
    """One JSON object a line in $GDDT_DATA_DIR/sms.jsonl. Like a real provider it accepts a reference once:
    a retry after a crash between sending and recording does not write the message twice."""

    name = "file"

    def __init__(self, path: Path | None = None):
        self.path = Path(path or settings.GDDT_SMS_FILE)

    def send(self, *, to: str, text: str, reference: str, sent_at: datetime, is_retry: bool) -> str:
        line = json.dumps(
            {"to": to, "text": text, "reference": reference, "sent_at": sent_at.isoformat()}, ensure_ascii=False
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a+", encoding="utf-8") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                if is_retry:
                    handle.seek(0)
                    if any(f'"reference": "{reference}"' in existing for existing in handle):
                        return reference
                handle.write(line + "\n")
                handle.flush()
        except OSError as error:
            raise TemporarySmsError(type(error).__name__) from error
        return reference


class ConsoleBackend:
    name = "console"

    def send(self, *, to: str, text: str, reference: str, sent_at: datetime, is_retry: bool) -> str:
        print(
            json.dumps(
                {"to": to, "text": text, "reference": reference, "sent_at": sent_at.isoformat()}, ensure_ascii=False
            ),
            file=sys.stdout,
            flush=True,
        )
        return reference


VN_MOBILE = re.compile(r"0[35789]\d{8}")  # the national form of every Vietnamese mobile range, as intake checks


def e164(number: str) -> str:
    """+84… from the national form that the outbox keeps; a number that cannot exist is a permanent failure."""
    if VN_MOBILE.fullmatch(number):  # the usual case, without phonenumbers' full parse per message
        return f"+84{number[1:]}"
    try:
        parsed = phonenumbers.parse(number, "VN")
    except phonenumbers.NumberParseException:
        raise InvalidNumberError("invalid number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidNumberError("invalid number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _fill(template: Any, values: dict[str, str]) -> Any:
    """The body template with `$to`, `$text`, `$reference` filled in every string, keys and nesting kept."""
    if isinstance(template, str):
        return string.Template(template).safe_substitute(values)
    if isinstance(template, dict):
        return {key: _fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [_fill(value, values) for value in template]
    return template


def _dig(answer: Any, path: str) -> str:
    """The value at a dotted path of a JSON answer ("id", "data.messageId", "messages.0.id"), or ""."""
    for part in path.split(".") if path else []:
        if isinstance(answer, dict):
            answer = answer.get(part)
        elif isinstance(answer, list) and part.isdigit() and int(part) < len(answer):
            answer = answer[int(part)]
        else:
            return ""
    return "" if answer is None or isinstance(answer, dict | list) else str(answer)[:100]


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds, from either of its forms (a number of seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class HttpBackend:
    """A generic HTTP gateway in the shape of Vietnamese brand-name SMS gateways: a POST of a JSON body made from
    GDDT_SMS_HTTP_BODY, GDDT_SMS_HTTP_AUTH as the Authorization header, the provider's id read from the answer at
    GDDT_SMS_HTTP_ID_PATH. One client per provider object, so connections are reused across messages."""

    name = "http"

    def __init__(self) -> None:
        self.url = settings.GDDT_SMS_HTTP_URL or ""
        self.body = json.loads(settings.GDDT_SMS_HTTP_BODY or "{}")
        self.id_path = settings.GDDT_SMS_HTTP_ID_PATH or ""
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "gddt"}
        if settings.GDDT_SMS_HTTP_AUTH:
            headers["Authorization"] = settings.GDDT_SMS_HTTP_AUTH
        timeout = httpx.Timeout(settings.GDDT_SMS_HTTP_READ_TIMEOUT, connect=settings.GDDT_SMS_HTTP_CONNECT_TIMEOUT)
        self.client = httpx.Client(headers=headers, timeout=timeout, follow_redirects=False)

    def send(self, *, to: str, text: str, reference: str, sent_at: datetime, is_retry: bool) -> str:
        body = _fill(self.body, {"to": e164(to), "text": text, "reference": reference})
        try:
            answer = self.client.post(self.url, content=json.dumps(body, ensure_ascii=False).encode())
        except httpx.TimeoutException:
            raise TemporarySmsError("timeout", provider_down=True) from None
        except httpx.TransportError as error:
            raise TemporarySmsError(f"connection error ({type(error).__name__})", provider_down=True) from None
        status = answer.status_code
        if status == 429:
            raise TemporarySmsError(
                "HTTP 429", retry_after=_retry_after(answer.headers.get("Retry-After")), provider_down=True
            )
        if status >= 500:
            raise TemporarySmsError(f"HTTP {status}", retry_after=_retry_after(answer.headers.get("Retry-After")))
        if status >= 400:
            raise PermanentSmsError(f"HTTP {status}")
        if status >= 300:
            raise PermanentSmsError(f"HTTP {status} (a redirect: check GDDT_SMS_HTTP_URL)")
        try:
            return _dig(answer.json(), self.id_path)
        except ValueError:
            return ""

    def close(self) -> None:
        self.client.close()


class EmailProvider:
    """Email through Django's email backend (GDDT_EMAIL_URL); the message id is derived from the reference, so a
    mail client shows a repeat as the same message."""

    name = "email"

    def __init__(self) -> None:
        self.connection = get_connection(fail_silently=False)
        self.lock = threading.Lock()

    def send(self, *, to: str, text: str, reference: str, sent_at: datetime, is_retry: bool) -> str:
        message_id = f"<{reference}@gddt>"
        mail = EmailMessage(
            subject="BHXH Viet Nam",
            body=text,
            to=[to],
            connection=self.connection,
            headers={"Message-ID": message_id, "X-GDDT-Reference": reference},
        )
        try:
            with self.lock:
                self.connection.open()  # kept open across messages; a no-op once it is
                mail.send()
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            if codes and all(400 <= code < 500 for code in codes):  # greylisting, a full mailbox: try again later
                raise TemporarySmsError(f"SMTP {codes[0]}") from None
            raise InvalidNumberError("address refused") from None
        except smtplib.SMTPResponseException as error:
            if 400 <= error.smtp_code < 500:
                raise TemporarySmsError(f"SMTP {error.smtp_code}") from None
            raise PermanentSmsError(f"SMTP {error.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as error:
            self.connection.close()
            raise TemporarySmsError(f"email: {type(error).__name__}", provider_down=True) from None
        return message_id


def provider_create(name: str) -> Provider:
    """A fresh provider object by its name in the settings (a worker keeps one of each for its lifetime)."""
    providers: dict[str, type[Provider]] = {
        "file": FileBackend,
        "console": ConsoleBackend,
        "http": HttpBackend,
        "email": EmailProvider,
    }
    return providers[name]()
