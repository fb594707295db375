"""Strict readers of the environment: settings come from here and nowhere else."""

import os
from pathlib import Path

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
