"""Logs as one JSON object a line on standard output, for the web (gunicorn's access log included), the worker and
the commands: time, level, logger, message, the request id and, for requests, the route template, status and
duration. What is logged never carries a query string; code never logs a personal ID, a phone, a password or a
token (a test greps the log of a whole flow for them)."""

import contextlib
import contextvars
import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

# The id of the request being served by this thread (the middleware sets it), so every line it logs carries it.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("gddt_request_id", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Attributes of a record that the JSON line carries when a caller passed them in `extra`.
_FIELDS = ("request_id", "method", "route", "path", "status", "duration_ms", "bytes", "remote")


def request_id_clean(value: str | None) -> str | None:
    """A request id given by a proxy, when it is a plain token; anything else (too long, spaces, quotes) is
    ignored so that no client can write arbitrary text into the logs."""
    return value if value and _REQUEST_ID.fullmatch(value) else None


class JsonFormatter(logging.Formatter):
    """One JSON object a line. gunicorn's access records carry their fields in `args` (its atoms)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            entry.update(_access_fields(record.args))
        else:
            entry["message"] = record.getMessage()
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if "request_id" not in entry:
            current = request_id_var.get()
            if current:
                entry["request_id"] = current
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _access_fields(atoms: dict[str, Any]) -> dict[str, Any]:
    """gunicorn's access atoms, without the query string (`U` is the path alone) or any request header but the
    request id that this service itself answers with."""
    method, path, status = atoms.get("m", "-"), atoms.get("U", "-"), atoms.get("s", "-")
    fields: dict[str, Any] = {"message": f"{method} {path} {status}", "method": method, "path": path}
    with contextlib.suppress(TypeError, ValueError):
        fields["status"] = int(status)
    with contextlib.suppress(TypeError, ValueError):
        fields["duration_ms"] = round(int(atoms.get("D", 0)) / 1000, 1)  # D is in microseconds
    request_id = request_id_clean(atoms.get("{x-request-id}o"))
    if request_id:
        fields["request_id"] = request_id
    return fields


def logging_config(*, level: str) -> dict[str, Any]:
    """The dictConfig of every process: one JSON handler on standard output."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "gddt.core.logs.JsonFormatter"}},
        "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Django's own request lines say what gddt.request says already, with the query string.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "ERROR"},
            "django.security.DisallowedHost": {"level": "ERROR"},
            "pyvips": {"level": "WARNING"},  # libvips narrates every decode at INFO
            "botocore": {"level": "WARNING"},
            "boto3": {"level": "WARNING"},
            "urllib3": {"level": "WARNING"},
            "httpx": {"level": "WARNING"},  # its INFO line is the whole URL, query included
            "httpcore": {"level": "WARNING"},
            "werkzeug": {"level": "WARNING"},  # moto's S3 server in the tests: a line per request
            "gunicorn.error": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        },
    }
