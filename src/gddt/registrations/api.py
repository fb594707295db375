import json
from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.responses import Status as Reply

from gddt.core.errors import Problem, bad_request, not_found
from gddt.registrations.models import Category, DocumentKind, Status
from gddt.registrations.numbers import dossier_number_format
from gddt.registrations.services import missing_documents, registration_status, registration_submit

router = Router(tags=["registrations"])


class ReceiptOut(Schema):
    dossier_no: str
    status: Status
    category: Category
    office_code: str
    missing_documents: list[DocumentKind]
    expires_at: datetime


class StatusOut(ReceiptOut):
    submitted_at: datetime


_DATA_SCHEMA = {"type": "object", "description": "The registration `data` object of the contract (product.md)."}
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
                        **{kind: {"type": "string", "format": "binary", "description": f"Photo: {kind}"}
                           for kind in DocumentKind.values if kind != DocumentKind.SIGNED_DECLARATION},
                    },
                }
            },
        },
    },
    "parameters": [{"in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string"},
                    "description": "A retry with the same key and body gets the first answer."}],
}
_PROBLEM = {"content": {"application/problem+json": {"schema": {"type": "object"}}}}


def _parse_registration(request: HttpRequest) -> tuple[object, dict]:
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
    raise Problem(415, _("Send the registration as application/json or multipart/form-data."),
                  "unsupported_media_type")


@router.post(
    "/registrations",
    response={201: ReceiptOut},
    summary="Register for electronic transactions",
    openapi_extra={**_REQUEST_BODY, "responses": {400: _PROBLEM, 409: _PROBLEM, 415: _PROBLEM, 422: _PROBLEM}},
)
def registration_create(request: HttpRequest):
    data, files = _parse_registration(request)
    submission = registration_submit(data=data, files=files,
                                     idempotency_key=request.headers.get("Idempotency-Key"))
    return Reply(201, submission.receipt)


@router.get(
    "/registrations/{dossier_no}",
    response={200: StatusOut},
    summary="The status of a registration",
    description="`verify` is the personal ID or the insurance number of the dossier; a wrong pair is a 404.",
    openapi_extra={"responses": {404: _PROBLEM}},
)
def registration_get(request: HttpRequest, dossier_no: str, verify: str):
    dossier = registration_status(dossier_no=dossier_no, verify=verify)
    if dossier is None:
        raise not_found(_("No registration matches this number and identifier."))
    return Reply(200, {
        "dossier_no": dossier_number_format(dossier.number or ""),
        "status": dossier.status,
        "category": dossier.category,
        "office_code": dossier.office.code,
        "missing_documents": missing_documents(dossier),
        "expires_at": dossier.expires_at,
        "submitted_at": dossier.submitted_at,
    })
