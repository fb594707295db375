"""The officers' JSON API under /api/v1/office/ (product.md "Officers"). The endpoints parse, call the counter's
services and selectors (which hold every rule and write the audit events) and render.

Versions: every dossier answer carries `ETag: W/"<version>"`; a PATCH, PUT or POST with `If-Match` acts only
on that version (412 otherwise). Every POST takes an `Idempotency-Key`: a retry gets the first answer."""

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router

from gddt.accounts.auth import officer_auth
from gddt.accounts.models import User
from gddt.core.clients import client_address
from gddt.core.errors import Problem, bad_request
from gddt.core.idempotency import idempotency_key_clean
from gddt.counter import selectors, services
from gddt.counter.schemas import (
    PAGE_LIMIT_DEFAULT,
    PAGE_LIMIT_MAX,
    PAGE_OFFSET_MAX,
    ActionOut,
    AuditEventOut,
    CorrectionIn,
    DocumentOut,
    DossierOut,
    DossierPageOut,
    DossierSummaryOut,
    HistoryOut,
    RejectIn,
    ReopenIn,
    SearchIn,
    SupplementOut,
)
from gddt.registrations.models import Dossier
from gddt.registrations.numbers import dossier_number_format
from gddt.registrations.selectors import missing_documents

router = Router(tags=["counter"], auth=officer_auth)

_PROBLEM = {"content": {"application/problem+json": {"schema": {"type": "object"}}}}
_IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": 'The ETag of the version you saw, e.g. W/"3"; a stale one is a 412.',
}
_IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string"},
    "description": "A retry with the same key and body gets the first answer.",
}
_ETAG_HEADER = {
    "ETag": {
        "description": 'The version of the dossier, e.g. W/"3": send it back in If-Match.',
        "schema": {"type": "string"},
    }
}
_ETAG = re.compile(r'^(?:W/)?"(\d{1,9})"$|^(\d{1,9})$')
NO_STORE = "private, no-store"


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]  # set by officer_auth


def _responses(*codes: int, etag: bool = False) -> dict[int, Any]:
    # A copy each: the document generator fills in each answer's own description.
    answers: dict[int, Any] = {code: {**_PROBLEM} for code in (401, 403, 404, *codes)}
    if etag:
        answers[200] = {"headers": _ETAG_HEADER}
    return answers


def _expected_version(request: HttpRequest) -> int | None:
    raw = (request.headers.get("If-Match") or "").strip()
    if raw in ("", "*"):
        return None
    match = _ETAG.match(raw)
    if match is None:
        raise bad_request(
            "If-Match", "invalid_if_match", _('The If-Match header must be the ETag of the dossier, such as W/"3".')
        )
    return int(match.group(1) or match.group(2))


def _etag(version: int) -> str:
    return f'W/"{version}"'


def _json(status: int, body: dict[str, Any], *, version: int | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False), status=status, content_type="application/json"
    )
    if version is not None:
        response["ETag"] = _etag(version)
    response["Cache-Control"] = NO_STORE
    return response


def _action_body(officer: User, dossier: Dossier, *, username: str | None = None) -> dict[str, Any]:
    return ActionOut(
        dossier_no=dossier_number_format(dossier.number or ""),
        status=dossier.status,
        version=dossier.version,
        completed_office_code=dossier.completed_office.code if dossier.completed_office else None,
        missing_documents=missing_documents(dossier),
        allowed_actions=selectors.dossier_allowed_actions(officer=officer, dossier=dossier),
        username=username,
    ).model_dump(mode="json")


def _once(
    request: HttpRequest,
    action: str,
    dossier_no: str,
    payload: dict[str, Any],
    run: Callable[[], tuple[int, dict[str, Any]]],
) -> HttpResponse:
    answer = services.counter_action_once(
        officer=_me(request),
        action=action,
        idempotency_key=request.headers.get("Idempotency-Key"),
        request_parts=[action, dossier_no, payload, request.headers.get("If-Match", "")],
        run=run,
    )
    return _json(answer.status, answer.body, version=answer.body.get("version"))


# --- finding -------------------------------------------------------------------------------------------------


def _summaries(dossiers: Iterable[Dossier]) -> list[dict[str, Any]]:
    return [selectors.dossier_summary(d) for d in dossiers]


@router.get(
    "/office/dossiers",
    response={200: list[DossierSummaryOut] | DossierPageOut},
    summary="Find a dossier by any reference, or browse the own offices' dossiers",
    description=(
        "With `q` (a dossier number with or without separators, the QR payload `GDDT:...`, a personal ID, an "
        "insurance number or a phone number): the exact look-up anywhere in the country, a list of summaries. "
        "Without `q`: the dossiers of the officer's own offices, newest first, filtered by `status` and `office` "
        "and paginated with `limit` and `offset` (`count` is the total). Prefer POST /office/dossiers/search, "
        "which keeps ID numbers out of URLs."
    ),
    openapi_extra={"responses": _responses(422)},
)
def dossiers_find(
    request: HttpRequest,
    q: str | None = None,
    status: str | None = None,
    office: str | None = None,
    limit: int = Query(PAGE_LIMIT_DEFAULT, ge=1, le=PAGE_LIMIT_MAX),
    offset: int = Query(0, ge=0, le=PAGE_OFFSET_MAX),
) -> list[dict[str, Any]] | dict[str, Any]:
    if q is not None:
        return _summaries(selectors.dossier_search(officer=_me(request), q=q, client_ip=client_address(request)))
    queryset = selectors.dossier_browse(
        officer=_me(request), status=status, office_code=office, client_ip=client_address(request)
    )
    return {
        "count": queryset.count(),
        "limit": limit,
        "offset": offset,
        "results": _summaries(queryset[offset : offset + limit]),
    }


@router.post(
    "/office/dossiers/search",
    response={200: list[DossierSummaryOut]},
    summary="Find a dossier by any reference (the reference in the body, not in the URL)",
    openapi_extra={"responses": _responses(422), "parameters": [_IDEMPOTENCY_KEY]},
)
def dossiers_search(request: HttpRequest, payload: SearchIn) -> list[dict[str, Any]]:
    # A search changes nothing, so a retry simply searches again; the key is only checked for shape.
    idempotency_key_clean(request.headers.get("Idempotency-Key"))
    return _summaries(selectors.dossier_search(officer=_me(request), q=payload.q, client_ip=client_address(request)))


# --- one dossier ---------------------------------------------------------------------------------------------


def _detail(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    fresh = selectors.dossier_queryset().get(pk=dossier.pk)
    return selectors.dossier_detail(officer=_me(request), dossier=fresh)


@router.get(
    "/office/dossiers/{dossier_no}",
    response={200: DossierOut},
    summary="The whole dossier, with its documents, its allowed actions and an ETag",
    openapi_extra={"responses": _responses(etag=True)},
)
def dossier_get(request: HttpRequest, dossier_no: str, response: HttpResponse) -> dict[str, Any]:
    dossier = services.dossier_for_officer(officer=_me(request), dossier_no=dossier_no, action="view")
    services.dossier_view(officer=_me(request), dossier=dossier, client_ip=client_address(request))
    response["ETag"] = _etag(dossier.version)
    response["Cache-Control"] = NO_STORE
    return selectors.dossier_detail(officer=_me(request), dossier=dossier)


@router.patch(
    "/office/dossiers/{dossier_no}",
    response={200: DossierOut},
    summary="Correct the dossier's data (with the reason), as the original documents show it",
    openapi_extra={"responses": _responses(400, 409, 412, 422, etag=True), "parameters": [_IF_MATCH]},
)
def dossier_patch(request: HttpRequest, dossier_no: str, payload: CorrectionIn) -> HttpResponse:
    expected = _expected_version(request)
    dossier = services.dossier_for_officer(officer=_me(request), dossier_no=dossier_no, action="edit")
    corrected = services.dossier_correct(
        officer=_me(request),
        dossier=dossier,
        changes=payload.changes,
        reason=payload.reason,
        expected_version=expected,
        client_ip=client_address(request),
    )
    body = DossierOut(**_detail(request, corrected)).model_dump(mode="json")
    return _json(200, body, version=body["version"])


# --- documents -----------------------------------------------------------------------------------------------


def _upload(request: HttpRequest) -> UploadedFile | None:
    """The part "file" of a multipart PUT (Django parses multipart bodies of POSTs only)."""
    if request.content_type != "multipart/form-data":
        raise Problem(
            415, _("Send the photo as multipart/form-data, in a part named “file”."), "unsupported_media_type"
        )
    if request.method != "POST":
        method = request.method
        request.method = request.META["REQUEST_METHOD"] = "POST"
        try:
            request._load_post_and_files()  # type: ignore[attr-defined]
        finally:
            request.method = request.META["REQUEST_METHOD"] = method
    for name in [*request.POST, *request.FILES]:
        if name != "file":
            raise bad_request(name, "unknown_part", _("The request has a part with an unknown name."))
    uploads = request.FILES.getlist("file")
    if len(uploads) > 1:
        raise bad_request("file", "duplicate_part", _("Send one file per document."))
    return uploads[0] if uploads else None


@router.put(
    "/office/dossiers/{dossier_no}/documents/{kind}",
    response={200: SupplementOut},
    summary="Supplement or replace one document (multipart part “file”)",
    openapi_extra={
        "responses": _responses(400, 409, 412, 415, 422, etag=True),
        "parameters": [_IF_MATCH],
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            },
        },
    },
)
def document_put(request: HttpRequest, dossier_no: str, kind: str) -> HttpResponse:
    expected = _expected_version(request)
    dossier = services.dossier_for_officer(officer=_me(request), dossier_no=dossier_no, action="edit")
    upload = _upload(request)
    document = services.document_supplement(
        officer=_me(request),
        dossier=dossier,
        kind=kind,
        upload=upload,
        expected_version=expected,
        client_ip=client_address(request),
    )
    fresh = selectors.dossier_queryset().get(pk=dossier.pk)
    document = next(d for d in fresh.documents.all() if d.pk == document.pk)
    body = SupplementOut(
        dossier_no=dossier_number_format(fresh.number or ""),
        version=fresh.version,
        missing_documents=missing_documents(fresh),
        document=DocumentOut(**selectors.document_row(fresh, document)),
    ).model_dump(mode="json")
    return _json(200, body, version=fresh.version)


@router.get(
    "/office/dossiers/{dossier_no}/documents/{kind}",
    url_name="counter_document_get",
    summary="The image of one current document (JPEG)",
    description="410 `purged` once the retention period of the dossier has ended and its documents are deleted; "
    "500 `stored_file_unreadable` (naming the dossier) when the stored file is damaged or the data key is wrong.",
    openapi_extra={
        "responses": {200: {"description": "The image", "content": {"image/jpeg": {}}}, **_responses(410, 500)}
    },
)
def document_get(request: HttpRequest, dossier_no: str, kind: str) -> HttpResponse:
    dossier = services.dossier_for_officer(officer=_me(request), dossier_no=dossier_no, action="view")
    content, content_type = services.document_read(
        officer=_me(request), dossier=dossier, kind=kind, client_ip=client_address(request)
    )
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = NO_STORE
    response["Content-Disposition"] = f'inline; filename="{kind}.jpg"'
    return response


# --- actions -------------------------------------------------------------------------------------------------


def _decide(
    request: HttpRequest, dossier_no: str, action: str, service: Callable[..., Any], arguments: dict[str, Any]
) -> HttpResponse:
    """A decision on a dossier: reached for `action`, run once per Idempotency-Key with the If-Match version and
    the body's `arguments`; answers the dossier's new state (with the citizen's username after an approval)."""
    expected = _expected_version(request)
    dossier = services.dossier_for_officer(officer=_me(request), dossier_no=dossier_no, action=action)

    def run() -> tuple[int, dict[str, Any]]:
        done = service(
            officer=_me(request),
            dossier=dossier,
            client_ip=client_address(request),
            expected_version=expected,
            **arguments,
        )
        if isinstance(done, services.Approval):
            return 200, _action_body(_me(request), done.dossier, username=done.username)
        return 200, _action_body(_me(request), done)

    return _once(request, action, dossier.number or "", arguments, run)


@router.post(
    "/office/dossiers/{dossier_no}/verify",
    response={200: ActionOut},
    summary="Verified at the counter: the person, the originals and the data agree",
    openapi_extra={"responses": _responses(400, 409, 412, 422, etag=True), "parameters": [_IF_MATCH, _IDEMPOTENCY_KEY]},
)
def dossier_verify(request: HttpRequest, dossier_no: str) -> HttpResponse:
    return _decide(request, dossier_no, "verify", services.dossier_verify, {})


@router.post(
    "/office/dossiers/{dossier_no}/approve",
    response={200: ActionOut},
    summary="Approve a verified, complete dossier: the account is activated and its password sent by SMS",
    description="409 with `missing_documents` while a required document is missing; 403 for separation of "
    "duties (the officer who verified it) or a missing role.",
    openapi_extra={"responses": _responses(400, 409, 412, 422, etag=True), "parameters": [_IF_MATCH, _IDEMPOTENCY_KEY]},
)
def dossier_approve(request: HttpRequest, dossier_no: str) -> HttpResponse:
    return _decide(request, dossier_no, "approve", services.dossier_approve, {})


@router.post(
    "/office/dossiers/{dossier_no}/reject",
    response={200: ActionOut},
    summary="Reject a dossier for a reason (missing photos are never one)",
    description="`reason_code`: " + ", ".join(services.REJECT_REASONS) + "; `note` is required with `other`.",
    openapi_extra={"responses": _responses(400, 409, 412, 422, etag=True), "parameters": [_IF_MATCH, _IDEMPOTENCY_KEY]},
)
def dossier_reject(request: HttpRequest, dossier_no: str, payload: RejectIn) -> HttpResponse:
    return _decide(request, dossier_no, "reject", services.dossier_reject, payload.model_dump())


@router.post(
    "/office/dossiers/{dossier_no}/reopen",
    response={200: ActionOut},
    summary="Reopen an expired dossier when the person turns up (with a note)",
    description="410 `purged` once the retention period of the dossier has ended and its data are deleted.",
    openapi_extra={
        "responses": _responses(400, 409, 410, 412, 422, etag=True),
        "parameters": [_IF_MATCH, _IDEMPOTENCY_KEY],
    },
)
def dossier_reopen(request: HttpRequest, dossier_no: str, payload: ReopenIn) -> HttpResponse:
    return _decide(request, dossier_no, "reopen", services.dossier_reopen, payload.model_dump())


# --- prints and history --------------------------------------------------------------------------------------


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Cache-Control"] = NO_STORE
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


_PDF = {200: {"description": "A PDF", "content": {"application/pdf": {}}}}


@router.get(
    "/office/dossiers/{dossier_no}/declaration.pdf",
    summary="The prefilled declaration, with the QR code of the dossier number, to sign at the counter",
    description="409 `not_printable` for a rejected or expired dossier; 410 `purged` once its data are deleted.",
    openapi_extra={"responses": {**_PDF, **_responses(409, 410)}},
)
def declaration_pdf(request: HttpRequest, dossier_no: str) -> HttpResponse:
    dossier = services.dossier_for_officer(officer=_me(request), dossier_no=dossier_no, action="print")
    content = services.declaration_render(officer=_me(request), dossier=dossier, client_ip=client_address(request))
    return _pdf(content, f"to-khai-{dossier.number}.pdf")


@router.get(
    "/office/dossiers/{dossier_no}/guide.pdf",
    summary="The short VssID guide for the activated account (approved dossiers only)",
    description="410 `purged` once the retention period of the dossier has ended and its data are deleted.",
    openapi_extra={"responses": {**_PDF, **_responses(409, 410)}},
)
def guide_pdf(request: HttpRequest, dossier_no: str) -> HttpResponse:
    dossier = services.dossier_for_officer(officer=_me(request), dossier_no=dossier_no, action="print")
    content = services.guide_render(officer=_me(request), dossier=dossier, client_ip=client_address(request))
    return _pdf(content, f"huong-dan-vssid-{dossier.number}.pdf")


@router.get(
    "/office/dossiers/{dossier_no}/history",
    response={200: HistoryOut},
    summary="Who looked at and did what to the dossier (audit events, oldest first), and its transitions",
    openapi_extra={"responses": _responses()},
)
def dossier_history(request: HttpRequest, dossier_no: str, response: HttpResponse) -> dict[str, Any]:
    dossier = services.dossier_for_officer(officer=_me(request), dossier_no=dossier_no, action="view")
    events = services.dossier_history(officer=_me(request), dossier=dossier, client_ip=client_address(request))
    response["Cache-Control"] = NO_STORE
    return {
        "dossier_no": dossier_number_format(dossier.number or ""),
        "events": [
            AuditEventOut(
                at=e.at,
                actor=e.actor_username or None,
                office_code=e.office.code if e.office else None,
                client_ip=e.client_ip,
                action=e.action,
                detail=e.detail,
            )
            for e in events
        ],
        "transitions": [selectors.transition_row(t) for t in dossier.transitions.all()],
    }
