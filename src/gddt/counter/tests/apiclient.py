"""A small client for the officers' API, authenticated with a bearer token, and shortcuts shared by the API
tests (not a test module itself)."""

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from gddt.accounts.auth import api_token_create
from gddt.registrations.models import Dossier
from gddt.registrations.numbers import dossier_number_format
from gddt_testing.factories import jpeg_bytes

BASE = "/api/v1/office/dossiers"
CLIENT_IP = "203.0.113.7"


def number_of(dossier: Dossier) -> str:
    return dossier_number_format(dossier.number or "")


def url(dossier: Dossier, suffix: str = "") -> str:
    return f"{BASE}/{number_of(dossier)}{suffix}"


class OfficerApi:
    def __init__(self, user=None, *, token: str | None = None):
        self.client = Client(REMOTE_ADDR=CLIENT_IP)
        if token is None and user is not None:
            token = api_token_create(user=user)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {**self.headers, **(extra or {})}

    def get(self, path: str, data: dict | None = None, headers: dict[str, str] | None = None):
        return self.client.get(path, data, headers=self._headers(headers))

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None):
        return self.client.post(
            path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self._headers(headers),
        )

    def patch(self, path: str, body: Any, headers: dict[str, str] | None = None):
        return self.client.patch(
            path, json.dumps(body), content_type="application/json", headers=self._headers(headers)
        )

    def put_file(self, path: str, content: bytes | None, headers: dict[str, str] | None = None, part: str = "file"):
        parts = {} if content is None else {part: SimpleUploadedFile("photo.jpg", content, "image/jpeg")}
        return self.client.put(
            path, encode_multipart(BOUNDARY, parts), content_type=MULTIPART_CONTENT, headers=self._headers(headers)
        )

    def supplement(self, dossier: Dossier, kind: str, content: bytes | None = None):
        response = self.put_file(url(dossier, f"/documents/{kind}"), content or jpeg_bytes(1200, 800))
        assert response.status_code == 200, response.content
        return response


REQUIRED_ADULT = ["id_front", "id_back", "portrait", "signed_declaration"]
REQUIRED_MINOR = ["portrait", "birth_certificate", "guardian_id_front", "guardian_id_back", "signed_declaration"]


def complete(dossier: Dossier, verifier, *, verify: bool = True) -> None:
    """Supplements every required document through the service and verifies, as a verifier at the counter."""
    from gddt.counter import services

    kinds = REQUIRED_ADULT if dossier.category == "with_id_card" else REQUIRED_MINOR
    for kind in kinds:
        found = services.dossier_for_officer(officer=verifier, dossier_no=dossier.number, action="edit")
        services.document_supplement(
            officer=verifier,
            dossier=found,
            kind=kind,
            upload=jpeg_bytes(1200, 800),
            expected_version=None,
            client_ip=None,
        )
    if verify:
        found = services.dossier_for_officer(officer=verifier, dossier_no=dossier.number, action="verify")
        services.dossier_verify(officer=verifier, dossier=found, client_ip=None)
    dossier.refresh_from_db()
