"""Errors a person can cause, carried from services to the API and the web pages.

Services raise `Problem`; the API turns it into `application/problem+json` (RFC 9457) with an `errors`
list of `{field, code, message}`, and the web views put each message beside its field."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FieldError:
    field: str  # dotted path into the request, e.g. "guardian.phone"; "" for the whole request
    code: str  # stable machine-readable code
    message: str | Promise  # lazily translated, rendered in the request's language

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": str(self.message)}


@dataclass
class Problem(Exception):
    status: int
    title: str | Promise
    code: str
    errors: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://gddt.baohiemxahoi.gov.vn/problems/{self.code}",
            "title": str(self.title),
            "status": self.status,
            "code": self.code,
            "errors": [error.as_dict() for error in self.errors],
        }
        body.update(self.extra)
        return body


def invalid(errors: list[FieldError]) -> Problem:
    return Problem(422, _("Some fields are not valid."), "validation_failed", errors)


def bad_request(field_name: str, code: str, message: str | Promise) -> Problem:
    return Problem(400, _("The request is malformed."), "bad_request", [FieldError(field_name, code, message)])


def not_found(title: str | Promise | None = None) -> Problem:
    return Problem(404, title or _("Not found."), "not_found")


def conflict(code: str, title: str | Promise, errors: list[FieldError] | None = None, **extra: Any) -> Problem:
    return Problem(409, title, code, errors or [], extra)


def forbidden(code: str, title: str | Promise) -> Problem:
    return Problem(403, title, code)


# The JSON Schema of a problem answer, for the OpenAPI document (gddt.api describes every error answer with it).
PROBLEM_JSON_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details with the error of each field. Some problems carry more members "
    "(e.g. `missing_documents`, `version`, `retry_after`).",
    "type": "object",
    "required": ["type", "title", "status", "code", "errors"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "code", "message"],
                "additionalProperties": False,
                "properties": {
                    "field": {
                        "type": "string",
                        "description": 'dotted path into the request; "" for the whole request',
                    },
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
