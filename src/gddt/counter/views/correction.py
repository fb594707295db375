"""The counter's correction form: its inputs, read from the one field table, and the changes an officer typed."""

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from gddt.registrations.fields import DossierField, counter_form_fields
from gddt.registrations.labels import FIELD_LABELS
from gddt.registrations.models import Dossier


@dataclass(frozen=True)
class Field:
    name: str  # the path of the registration `data`, e.g. "address.street"
    label: str
    value: str
    input_type: str = "text"
    choices: tuple[tuple[str, str], ...] = ()
    error: str = ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _choices(field: DossierField) -> tuple[tuple[str, str], ...]:
    return tuple((str(v), str(label)) for v, label in field.choices.choices) if field.choices else ()


def correction_fields(
    dossier: Dossier, submitted: dict[str, str] | None = None, errors: dict[str, str] | None = None
) -> list[Field]:
    """The inputs of the form, with what the officer typed (after a refusal) or else the dossier's values."""
    submitted, errors = submitted or {}, errors or {}
    return [
        Field(
            name=f.path,
            label=str(FIELD_LABELS[f.path]),
            value=submitted.get(f.path, _text(getattr(dossier, f.attribute))),
            input_type=f.input_type,
            choices=_choices(f),
            error=errors.get(f.path, ""),
        )
        for f in counter_form_fields(dossier.category)
    ]


def correction_changes(dossier: Dossier, post: QueryDict) -> tuple[dict[str, Any], dict[str, str]]:
    """What the officer changed, as the nested `data` the services take, and every submitted value."""
    changes: dict[str, Any] = {}
    submitted: dict[str, str] = {}
    for field in counter_form_fields(dossier.category):
        if field.path not in post:
            continue
        value = post.get(field.path, "").strip()
        submitted[field.path] = value
        if value == _text(getattr(dossier, field.attribute)):
            continue
        head, _dot, tail = field.path.partition(".")
        if tail:
            changes.setdefault(head, {})[tail] = value
        else:
            changes[field.path] = value
    return changes, submitted
