"""Strict readers of the environment: settings come from here and nowhere else."""

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

# The only spellings of a boolean (any case): a typo such as "ture", or "1"/"yes"/"on" that other tools accept, stops
# the start instead of silently meaning something.
_BOOLEANS = {"true": True, "false": False}


def env_str(name: str, default: str | None = None) -> str | None:
    """NAME, or the content of the file NAME_FILE points at (for secrets), or the default."""
    value = os.environ.get(name)
    if value is not None and value != "":
        return value
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return default


def env_bool(name: str, default: bool) -> bool:
    """NAME as `true` or `false` (any case); anything else is refused, naming the variable."""
    value = env_str(name)
    if value is None:
        return default
    try:
        return _BOOLEANS[value.strip().lower()]
    except KeyError:
        raise ImproperlyConfigured(f"{name} must be true or false (in any case), not {value!r}") from None


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}")
    return number


MAX_DAYS = 36_500  # a hundred years: more is a typo, and would take dates out of the calendar's range


def env_days(name: str, default: int | None) -> int | None:
    """NAME as a whole number of days from 0 to MAX_DAYS; unset or empty is the default (None: no limit). A
    negative number, a fraction or a word is refused, naming the variable."""
    value = env_str(name)
    if value is None:
        return default
    text = value.strip()
    # ASCII digits only: "-5", "1.5", "90d", "1e3" and other scripts' digits are all refused.
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_DAYS:
        raise ImproperlyConfigured(f"{name} must be a whole number of days from 0 to {MAX_DAYS}, not {value!r}")
    return int(text)


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    value = env_str(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None
    if not number >= minimum:  # also refuses nan
        raise ImproperlyConfigured(f"{name} must be at least {minimum}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = env_str(name, default) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {sorted(choices)}, not {value!r}")
    return value


def email_settings(name: str) -> dict[str, Any]:
    """Django's email settings from one URL in NAME: `smtp://user:pass@host:587?tls=true` (or `ssl=true`, and
    `timeout=` seconds), `smtps://...` (TLS from the start), `console:` or `file:///path`. Empty: no email."""
    url = env_str(name)
    if not url:
        return {}
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    for flag in ("tls", "ssl"):
        if query.get(flag, "false").lower() not in _BOOLEANS:
            raise ImproperlyConfigured(f"{name}: {flag} must be true or false")
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "file":
        return {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": parts.path}
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must look like smtp://user:password@host:587?tls=true")
    ssl = parts.scheme == "smtps" or _BOOLEANS[query.get("ssl", "false").lower()]
    try:
        port = parts.port or (465 if ssl else 25)
        timeout = float(query.get("timeout", "20"))
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a port or timeout that is not a number") from None
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": not ssl and _BOOLEANS[query.get("tls", "false").lower()],
        "EMAIL_USE_SSL": ssl,
        "EMAIL_TIMEOUT": timeout,
    }
