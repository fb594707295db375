"""The citizen's JSON API under /api/v1/registrations (product.md "Citizens"): register, and look up a status."""

import json
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema
from ninja.responses import Status as Reply

from gddt.core.clients import client_address
from gddt.core.errors import Problem, bad_request, not_found
from gddt.registrations.models import Category, DocumentKind, Status
from gddt.registrations.selectors import registration_status, registration_status_answer
from gddt.registrations.services import registration_status_throttle, registration_submit

router = Router(tags=["registrations"])


class ReceiptOut(Schema):
    dossier_no: str
    status: Status
    category: Category
    office_code: str
    missing_documents: list[DocumentKind]
    expires_at: datetime


class RegistrationOut(ReceiptOut):
    sms_sent: bool = Field(
        description="false when the phone has had its receipts of the day "
        "(GDDT_SMS_PER_PHONE_PER_DAY): the registration is kept, no SMS is sent"
    )
    message: str = Field(description="What was sent, in the request's language; show it to the person")


class StatusOut(ReceiptOut):
    submitted_at: datetime


def _text(max_length: int, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length, **extra}


_DATE = {"type": "string", "format": "date", "description": "YYYY-MM-DD"}
_DIGITS_12 = {"type": "string", "pattern": "^[0-9]{12}$"}
# The contract's `data` object (product.md). Rules beyond JSON Schema (the personal ID cross-check, a commune
# inside its province, a minor under 18...) are enforced by the service and answered with 422.
_DATA_SCHEMA = {
    "type": "object",
    "required": ["category", "full_name", "date_of_birth", "sex", "phone", "address", "office_code", "consent"],
    "additionalProperties": False,
    "properties": {
        "category": {"type": "string", "enum": Category.values},
        "full_name": _text(100),
        "date_of_birth": _DATE,
        "sex": {"type": "string", "enum": ["male", "female"]},
        "nationality": {"type": "string", "pattern": "^[A-Z]{2}$", "default": "VN"},
        "personal_id": {**_DIGITS_12, "nullable": True},
        "bhxh_code": {"type": "string", "pattern": "^[0-9]{10}$", "nullable": True},
        "id_document": {
            "type": "object",
            "description": "with_id_card only",
            "additionalProperties": False,
            "required": ["type", "number", "issued_on", "issued_by"],
            "properties": {
                "type": {"type": "string", "enum": ["cccd", "cmnd9", "cmnd12", "passport"]},
                "number": _text(20),
                "issued_on": _DATE,
                "issued_by": _text(200),
            },
        },
        "birth_certificate": {
            "type": "object",
            "description": "minor_without_id_card only",
            "additionalProperties": False,
            "required": ["number", "issued_on", "issued_by"],
            "properties": {"number": _text(40), "issued_on": _DATE, "issued_by": _text(200)},
        },
        "guardian": {
            "type": "object",
            "description": "minor_without_id_card only",
            "additionalProperties": False,
            "required": ["full_name", "relationship", "personal_id"],
            "properties": {
                "full_name": _text(100),
                "relationship": {"type": "string", "enum": ["father", "mother", "guardian"]},
                "personal_id": _DIGITS_12,
                "phone": _text(15),
            },
        },
        "phone": _text(15, description="Vietnamese mobile of the person, or of the guardian for a minor"),
        "email": {"type": "string", "format": "email", "nullable": True},
        "address": {
            "type": "object",
            "additionalProperties": False,
            "required": ["province_code", "ward_code"],
            "properties": {
                "province_code": {"type": "string", "pattern": "^[0-9]{2}$"},
                "ward_code": {"type": "string", "pattern": "^[0-9]{5}$"},
                "street": _text(200),
            },
        },
        "office_code": _text(10),
        "consent": {
            "type": "boolean",
            "enum": [True],
            "description": "The person's consent (for a minor, the guardian's) to the current consent text, "
            "GET /api/v1/consent, which tells that ID images are sensitive personal data",
        },
        "child_consent": {
            "type": "boolean",
            "description": "minor_without_id_card only: the child's own agreement, required (true) when the child "
            "is aged 7 or more on the day of registration (422 naming `child_consent` otherwise)",
        },
        "consent_version": {
            "type": "integer",
            "minimum": 1,
            "description": "Optional: the version of the consent text shown to the person; when it is no longer "
            "the current one the registration is refused (422 `consent_text_changed`) so that the person reads "
            "the new text",
        },
    },
}
_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _DATA_SCHEMA},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["data"],
                    "properties": {
                        "data": {"type": "string", "description": "The `data` object as JSON text."},
                        **{
                            kind: {"type": "string", "format": "binary", "description": f"Photo: {kind}"}
                            for kind in DocumentKind.values
                            if kind != DocumentKind.SIGNED_DECLARATION
                        },
                    },
                }
            },
        },
    },
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string"},
            "description": "A retry with the same key and body gets the first answer.",
        }
    ],
}
_PROBLEM = {"content": {"application/problem+json": {"schema": {"type": "object"}}}}


def _parse_registration(request: HttpRequest) -> tuple[object, dict[str, UploadedFile]]:
    content_type = (request.content_type or "").lower()
    if content_type == "application/json":
        try:
            return json.loads(request.body or b"null"), {}
        except (ValueError, UnicodeDecodeError):
            raise bad_request("data", "malformed_json", _("The registration is not valid JSON.")) from None
    if content_type == "multipart/form-data":
        raw = request.POST.get("data")
        if raw is None:
            raise bad_request("data", "required", _("The part “data” with the registration is missing."))
        for name in request.POST:
            if name != "data":
                raise bad_request(name, "unknown_part", _("The request has a part with an unknown name."))
        try:
            data = json.loads(raw)
        except ValueError:
            raise bad_request("data", "malformed_json", _("The registration is not valid JSON.")) from None
        files = {}
        for name in request.FILES:
            uploads = request.FILES.getlist(name)
            if len(uploads) > 1:
                raise bad_request(name, "duplicate_part", _("Send one file per document."))
            files[name] = uploads[0]
        return data, files
    raise Problem(415, _("Send the registration as application/json or multipart/form-data."), "unsupported_media_type")


@router.post(
    "/registrations",
    response={201: RegistrationOut},
    summary="Register for electronic transactions",
    description="429 with Retry-After past GDDT_REGISTRATIONS_PER_ADDRESS_PER_HOUR registrations from one client "
    "address in the last hour. 503 `no_consent_text` while no consent text is published.",
    openapi_extra={
        **_REQUEST_BODY,
        "responses": {
            400: _PROBLEM,
            409: _PROBLEM,
            413: _PROBLEM,
            415: _PROBLEM,
            422: _PROBLEM,
            429: _PROBLEM,
            503: _PROBLEM,
        },
    },
)
def registration_create(request: HttpRequest) -> Reply:
    client_ip = client_address(request)
    data, files = _parse_registration(request)
    submission = registration_submit(
        data=data, files=files, idempotency_key=request.headers.get("Idempotency-Key"), client_ip=client_ip
    )
    return Reply(201, submission.receipt)


@router.get(
    "/registrations/{dossier_no}",
    response={200: StatusOut},
    summary="The status of a registration",
    description="`verify` is the personal ID or the insurance number of the dossier; a wrong pair is a 404.",
    openapi_extra={"responses": {404: _PROBLEM, 422: _PROBLEM, 429: _PROBLEM}},
)
def registration_get(request: HttpRequest, dossier_no: str, verify: str) -> Reply:
    registration_status_throttle(client_ip=client_address(request))
    dossier = registration_status(dossier_no=dossier_no, verify=verify)
    if dossier is None:
        raise not_found(_("No registration matches this number and identifier."))
    return Reply(200, registration_status_answer(dossier))
