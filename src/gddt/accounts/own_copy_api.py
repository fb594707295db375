"""A citizen's own copy on the API (citizen token): `GET /api/v1/me/data` (JSON), `/api/v1/me/data.zip` (the same
with the images in one file) and `/api/v1/me/documents/{id}` (one image). accounts/own_copy.py holds the rules."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Schema
from pydantic import Field

from gddt.accounts.auth import citizen_auth
from gddt.accounts.models import User
from gddt.accounts.own_copy import citizen_copy, citizen_copy_zip, citizen_document, copy_filename
from gddt.core.clients import client_address
from gddt.counter.schemas import AddressOut, BirthCertificateOut, GuardianOut, IdDocumentOut

router = Router(tags=["accounts"], auth=citizen_auth)
NO_STORE = "private, no-store"
_PROBLEM = {"content": {"application/problem+json": {"schema": {"type": "object"}}}}


class OfficeRef(Schema):
    code: str
    name: str


class AccountOut(Schema):
    username: str
    full_name: str
    phone: str | None
    created_at: datetime
    last_sign_in: datetime | None


class PersonDataOut(Schema):
    category: str
    full_name: str
    date_of_birth: date
    sex: str
    nationality: str
    personal_id: str | None
    bhxh_code: str | None
    phone: str
    email: str | None
    address: AddressOut
    id_document: IdDocumentOut | None = None
    birth_certificate: BirthCertificateOut | None = None
    guardian: GuardianOut | None = None


class ConsentWordingCopy(Schema):
    text: str
    sensitive_notice: str
    guardian_text: str
    child_text: str


class ConsentTextCopy(Schema):
    version: int
    published_at: datetime
    vi: ConsentWordingCopy
    en: ConsentWordingCopy


class ConsentCopy(Schema):
    version: int | None
    given_at: datetime
    channel: str | None
    given_by: str | None
    child_agreed_at: datetime | None
    text: ConsentTextCopy | None = Field(description="The wording agreed to; null before texts were versioned")


class DocumentCopy(Schema):
    id: int
    kind: str
    source: str
    supplied_at_office: OfficeRef | None = Field(description="The office that supplied it at the counter")
    supplied_at: datetime
    replaced_at: datetime | None
    sha256: str
    content_type: str
    width: int
    height: int
    size: int
    url: str = Field(description="Where to download the image with the same token")


class TransitionCopy(Schema):
    action: str
    from_status: str | None
    to_status: str
    office: OfficeRef | None
    at: datetime
    reason: str | None
    note: str | None


class LookCopy(Schema):
    at: datetime
    action: str = Field(description="e.g. dossier.view, document.view, declaration.print, citizen.copy")
    office: OfficeRef | None = Field(description="The office of the officer; null for the citizen's own downloads")


class DossierCopy(Schema):
    dossier_no: str
    status: str
    office: OfficeRef
    completed_office: OfficeRef | None
    submitted_at: datetime
    expires_at: datetime
    verified_at: datetime | None
    approved_at: datetime | None
    rejected_at: datetime | None
    reject_reason: str | None
    purged_at: datetime | None
    data: PersonDataOut
    consent: ConsentCopy
    documents: list[DocumentCopy]
    transitions: list[TransitionCopy]
    looked_at: list[LookCopy]


class OwnCopyOut(Schema):
    format: str
    made_at: datetime
    account: AccountOut
    dossiers: list[DossierCopy]


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.get(
    "/me/data",
    response={200: OwnCopyOut},
    summary="Citizen: everything held about me (data, consent, documents, transitions, who looked, by office)",
    description="Each document's image is at its `url` (same token). Who looked at a dossier is told by office, "
    "never by officer. Audited.",
)
def own_copy(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    response["Cache-Control"] = NO_STORE
    return citizen_copy(
        user=_me(request),
        client_ip=client_address(request),
        document_url=lambda pk: reverse("api:me_document", kwargs={"document_id": pk}),
    )


@router.get(
    "/me/data.zip",
    summary="Citizen: the same copy as one zip file (data.json and the images)",
    openapi_extra={"responses": {200: {"description": "The zip file", "content": {"application/zip": {}}}}},
)
def own_copy_zip(request: HttpRequest) -> HttpResponse:
    content = citizen_copy_zip(user=_me(request), client_ip=client_address(request))
    response = HttpResponse(content, content_type="application/zip")
    response["Cache-Control"] = NO_STORE
    response["Content-Disposition"] = f'attachment; filename="{copy_filename(extension="zip")}"'
    return response


@router.get(
    "/me/documents/{document_id}",
    url_name="me_document",
    summary="Citizen: the image of one of my documents",
    openapi_extra={
        "responses": {200: {"description": "The image", "content": {"image/jpeg": {}}}, 404: _PROBLEM, 422: _PROBLEM},
    },
)
def own_document(request: HttpRequest, document_id: int) -> HttpResponse:
    content, content_type, document = citizen_document(
        user=_me(request), document_id=document_id, client_ip=client_address(request)
    )
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = NO_STORE
    response["Content-Disposition"] = f'inline; filename="{document.kind}.jpg"'
    return response
