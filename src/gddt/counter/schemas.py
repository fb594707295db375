"""The shapes of the counter's JSON API (they only describe data; the services hold every rule)."""

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from gddt.core.schemas import RequestSchema

# Paging bounds of the queue: past them a request is refused with a 422 naming the parameter, never passed to the
# database (an offset past 2**63 overflows its integer).
PAGE_LIMIT_DEFAULT = 50
PAGE_LIMIT_MAX = 200
PAGE_OFFSET_MAX = 1_000_000_000


class IdDocumentOut(Schema):
    type: str
    number: str
    issued_on: date | None
    issued_by: str


class BirthCertificateOut(Schema):
    number: str
    issued_on: date | None
    issued_by: str


class GuardianOut(Schema):
    full_name: str
    relationship: str
    personal_id: str | None
    phone: str | None


class AddressOut(Schema):
    province_code: str
    province_name: str
    ward_code: str
    ward_name: str
    street: str


class DocumentOut(Schema):
    kind: str
    source: str
    supplied_by: str | None = Field(description="Username of the officer; null when the citizen sent it online")
    supplied_at_office: str | None = Field(description="Code of the officer's office; null when online")
    supplied_at: datetime
    sha256: str
    width: int
    height: int
    url: str = Field(description="API path of the image (officers only; never a public URL)")


class TransitionOut(Schema):
    action: str
    from_status: str | None
    to_status: str
    actor: str | None
    office_code: str | None
    at: datetime
    reason: str | None
    note: str | None


class ConsentRecordOut(Schema):
    version: int | None = Field(
        description="Version of the consent text agreed to (GET /api/v1/consent); null for "
        "a dossier registered before consent texts were versioned"
    )
    given_at: datetime
    channel: str | None = Field(description="web, api or counter")
    given_by: str | None = Field(description="person, or guardian for a minor without an ID card")
    child_agreed_at: datetime | None = Field(description="When the child (aged 7 or more) agreed too")


class DossierOut(Schema):
    dossier_no: str
    status: str
    version: int
    category: str
    full_name: str
    date_of_birth: date
    sex: str
    nationality: str
    personal_id: str | None
    bhxh_code: str | None
    id_document: IdDocumentOut | None
    birth_certificate: BirthCertificateOut | None
    guardian: GuardianOut | None
    phone: str
    email: str
    address: AddressOut
    office_code: str
    office_name: str
    completed_office_code: str | None
    submitted_at: datetime
    expires_at: datetime
    verified_at: datetime | None
    verified_by: str | None
    approved_at: datetime | None
    approved_by: str | None
    rejected_at: datetime | None
    reject_reason: str | None
    missing_documents: list[str]
    allowed_actions: list[str]
    documents: list[DocumentOut]
    transitions: list[TransitionOut]
    consent: ConsentRecordOut


class DossierSummaryOut(Schema):
    dossier_no: str
    full_name: str
    status: str
    category: str
    office_code: str
    completed_office_code: str | None
    submitted_at: datetime
    age_days: int


class DossierPageOut(Schema):
    count: int
    limit: int
    offset: int
    results: list[DossierSummaryOut]


class SearchIn(RequestSchema):
    q: str


class CorrectionIn(RequestSchema):
    changes: dict[str, Any] = Field(description="Fields of the registration `data` to correct, nested as there")
    reason: str


class RejectIn(RequestSchema):
    reason_code: str
    note: str = ""


class ReopenIn(RequestSchema):
    note: str


class ActionOut(Schema):
    dossier_no: str
    status: str
    version: int
    completed_office_code: str | None
    missing_documents: list[str]
    allowed_actions: list[str]
    username: str | None = Field(None, description="The account's username (approve only)")


class SupplementOut(Schema):
    dossier_no: str
    version: int
    missing_documents: list[str]
    document: DocumentOut


class AuditEventOut(Schema):
    at: datetime
    actor: str | None
    office_code: str | None
    client_ip: str | None
    action: str
    detail: dict[str, Any]


class HistoryOut(Schema):
    dossier_no: str
    events: list[AuditEventOut]
    transitions: list[TransitionOut]
