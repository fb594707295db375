"""Every answer of the API that a test receives is checked against the committed OpenAPI document, docs/openapi.json
(as Zulip's validate_against_openapi_schema does): a status, a content type or a body shape the document does not
describe fails the test that received it. The check wraps Django's test Client, which every API test uses (the
`client` fixture, the officers' OfficerApi), through the autouse fixture below."""

import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpResponseBase
from django.test import Client
from jsonschema import Draft202012Validator

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
API_PREFIX = "/api/v1/"
# Served by the API but not operations of it: the document itself and its browsable page.
NOT_OPERATIONS = {"/api/v1/openapi.json", "/api/v1/docs"}
JSON_TYPES = {"application/json", "application/problem+json"}


class UndocumentedAnswer(AssertionError):
    """An answer of the API that docs/openapi.json does not describe."""


@functools.cache
def openapi_document() -> dict[str, Any]:
    return json.loads(DOCUMENT.read_text(encoding="utf-8"))


@functools.cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    """The document's paths as patterns, those with fewer parameters first (…/search before …/{dossier_no})."""
    paths = sorted(openapi_document()["paths"], key=lambda p: (p.count("{"), p))
    return [(re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"), path) for path in paths]


def openapi_operation(method: str, path: str, *, status: int | None = None) -> tuple[str, dict[str, Any]] | None:
    """The documented operation that answers `method` on `path`, or None when no path of the document matches (or
    the path has no such method and the answer is the 405 that says so)."""
    candidates = [template for pattern, template in _templates() if pattern.match(path)]
    if not candidates:
        return None
    for template in candidates:
        operation = openapi_document()["paths"][template].get(method.lower())
        if operation is not None:
            return template, operation
    if status == 405:
        return None
    raise UndocumentedAnswer(
        f"{method} {path}: the document has no {method} operation on {candidates[0]}, and the "
        f"answer is {status}, not 405"
    )


@functools.cache
def _validator(template: str, method: str, status: str, content_type: str) -> Draft202012Validator | None:
    answer = openapi_document()["paths"][template][method]["responses"][status]
    schema = answer.get("content", {}).get(content_type, {}).get("schema")
    if schema is None:
        return None
    # The components sit beside the schema, so that its "#/components/schemas/…" references resolve.
    return Draft202012Validator({**schema, "components": openapi_document()["components"]})


def api_answer_check(*, method: str, path: str, status: int, content_type: str | None, body: bytes | None) -> None:
    """Raises UndocumentedAnswer unless the document describes this answer to `method` on `path`. `body` None
    means a streamed body, which is not read."""
    if not path.startswith(API_PREFIX) or path in NOT_OPERATIONS:
        return
    found = openapi_operation(method, path, status=status)
    if found is None:
        return  # the 404 of an unknown URL or the 405 of an unknown method: not an answer of an operation
    template, operation = found
    where = f"{method} {path} ({template})"
    responses = operation["responses"]
    key = str(status) if str(status) in responses else "default" if "default" in responses else None
    if key is None:
        raise UndocumentedAnswer(f"{where}: status {status} is not documented (documented: {sorted(responses)})")
    content = responses[key].get("content")
    media_type = (content_type or "").split(";")[0].strip().lower()
    if not content:
        if body:
            raise UndocumentedAnswer(f"{where}: {status} is documented without a body, but has one ({media_type})")
        return
    if media_type not in content:
        raise UndocumentedAnswer(
            f"{where}: {status} answered {media_type or 'no content type'}, the document says {sorted(content)}"
        )
    if body is None or media_type not in JSON_TYPES:
        return
    validator = _validator(template, method.lower(), key, media_type)
    if validator is None:
        return
    try:
        document = json.loads(body)
    except ValueError as error:
        raise UndocumentedAnswer(f"{where}: the {status} body is not JSON") from error
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        details = "; ".join(f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in errors[:5])
        raise UndocumentedAnswer(f"{where}: the {status} body does not match the document: {details}")


def response_check(response: HttpResponseBase, *, method: str, path: str) -> None:
    streaming = getattr(response, "streaming", False)
    api_answer_check(
        method=method,
        path=path,
        status=response.status_code,
        content_type=response.get("Content-Type"),
        body=None if streaming else response.content,
    )  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _api_answers_match_the_document(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Wraps Django's test Client: every /api/v1/ answer a test receives is checked against docs/openapi.json."""
    request = Client.request

    def checked_request(self: Client, **environ: Any) -> HttpResponseBase:
        response = request(self, **environ)
        response_check(response, method=environ.get("REQUEST_METHOD", "GET"), path=environ.get("PATH_INFO", ""))
        return response

    monkeypatch.setattr(Client, "request", checked_request)
    yield
