"""The officers' download of a dossier's archive: GET /api/v1/office/dossiers/{dossier_no}/archive.zip."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from gddt.accounts.auth import officer_auth
from gddt.accounts.models import User
from gddt.archives.selectors import archive_for_officer
from gddt.archives.services import archive_download
from gddt.core.clients import client_address

router = Router(tags=["archives"], auth=officer_auth)

_PROBLEM = {"content": {"application/problem+json": {"schema": {"type": "object"}}}}


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]  # set by officer_auth


_RESPONSES: dict[int, Any] = {
    200: {"description": "The archive (a zip with manifest.json)", "content": {"application/zip": {}}},
    403: {**_PROBLEM, "description": "No counter role in the completing office's subtree (`missing_role`)"},
    404: {
        **_PROBLEM,
        "description": "No such dossier, or outside the officer's reach (`not_found`); not approved, or its archive "
        "not made yet (`archive_not_ready`)",
    },
    500: {
        **_PROBLEM,
        "description": "The stored archive is damaged: it cannot be decrypted or differs from its SHA-256 "
        "(`archive_damaged`, naming the dossier)",
    },
}


@router.get(
    "/office/dossiers/{dossier_no}/archive.zip",
    url_name="archive_download",
    summary="The archived record of an approved dossier (zip: data, documents, transitions, SHA-256 manifest)",
    description=(
        "For officers with a counter role (receiving or approving officer, administrator) in the subtree of the "
        "office that completed the dossier. Every download is audited. The zip holds manifest.json (the SHA-256 "
        "and size of every other part, the dossier number, the approval and archive times, each document's "
        "provenance), data.json, transitions.json and documents/."
    ),
    openapi_extra={"responses": _RESPONSES},
)
def archive_get(request: HttpRequest, dossier_no: str) -> HttpResponse:
    archive = archive_for_officer(officer=_me(request), dossier_no=dossier_no)
    content = archive_download(officer=_me(request), archive=archive, client_ip=client_address(request))
    response = HttpResponse(content, content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'attachment; filename="ho-so-{archive.dossier.number}.zip"'
    return response
