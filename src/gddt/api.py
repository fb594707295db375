"""The JSON API under /api/v1/ (django-ninja; the OpenAPI document is generated from this code). Every error
is `application/problem+json` (RFC 9457) with an `errors` list of {field, code, message}."""

import json
import logging
from http import HTTPStatus
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema

from gddt.core.errors import PROBLEM_JSON_SCHEMA, Problem

logger = logging.getLogger(__name__)

_PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
# gunicorn answers a request line longer than it accepts itself, before the application, with a short HTML page.
_URI_TOO_LONG = {
    "description": "The URL is longer than the web server accepts (answered by the web server, "
    "before the application, as a short HTML page)",
    "content": {"text/html": {"schema": {"type": "string"}}},
}
_WHY = {
    400: "The request is malformed: a body that is not JSON or multipart, or a bad If-Match or Idempotency-Key",
    401: "Not signed in: no valid bearer token (or officer session)",
    414: _URI_TOO_LONG["description"],
    422: "A field or parameter is not valid (each error names it), or is unknown",
}


def openapi_problems_describe(document: dict[str, Any]) -> dict[str, Any]:
    """Completes the generated document where the generator cannot see the code: every error answer is
    `application/problem+json` (RFC 9457, the Problem schema); 400 wherever a body or a request header can be
    malformed, 401 wherever authentication is required, 422 wherever a field or parameter is checked, 414
    everywhere (a URL too long for the web server)."""
    document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_JSON_SCHEMA
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            parameters = operation.get("parameters", [])
            headers = {p["name"] for p in parameters if p["in"] == "header"}
            responses = {int(code): answer for code, answer in operation.get("responses", {}).items()}
            if "requestBody" in operation or headers & {"If-Match", "Idempotency-Key"}:
                responses.setdefault(400, {})
            if operation.get("security"):
                responses.setdefault(401, {})
            if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
                responses.setdefault(422, {})
            for code, answer in responses.items():
                if code >= 400:
                    answer["description"] = answer.get("description") or _WHY.get(code) or HTTPStatus(code).phrase
                    answer["content"] = _PROBLEM_CONTENT
            responses[414] = _URI_TOO_LONG
            operation["responses"] = dict(sorted(responses.items()))
    return document


class GddtApi(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        openapi_problems_describe(document)
        return document


api = GddtApi(
    title="GDĐT — đăng ký giao dịch điện tử (BHXH Việt Nam)",
    version="1.0.0",
    description="Registration of individuals for electronic transactions with Vietnam Social Security.",
    urls_namespace="api",
)


def problem_response(problem: Problem) -> HttpResponse:
    response = HttpResponse(
        json.dumps(problem.as_dict(), ensure_ascii=False),
        status=problem.status,
        content_type="application/problem+json",
    )
    if problem.status == 401:
        response["WWW-Authenticate"] = "Bearer"
    if problem.status == 429 and "retry_after" in problem.extra:
        response["Retry-After"] = str(problem.extra["retry_after"])
    return response


@api.exception_handler(Problem)
def on_problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return problem_response(exc)


def _field_path(loc: list) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "form", "cookie", "file"}:
        parts = parts[1:]
        if parts and parts[0] in {"payload", "body", "data"}:
            parts = parts[1:]
    return ".".join(parts)


def _validation_message(kind: str, context: dict[str, Any] | None) -> tuple[str, str]:
    """The code and message of one error of pydantic's; a bound is named in the message."""
    context = context or {}
    if kind == "missing":
        return "required", _("This field is required.")
    if kind == "extra_forbidden":
        return "unknown_field", _("This field is unknown: check its spelling.")
    if kind in ("less_than_equal", "less_than") and "le" in context:
        return kind, _("At most %(limit)s.") % {"limit": context["le"]}
    if kind in ("greater_than_equal", "greater_than") and "ge" in context:
        return kind, _("At least %(limit)s.") % {"limit": context["ge"]}
    return kind, _("This value is not valid.")


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    from gddt.core.errors import FieldError, invalid

    errors = []
    for error in exc.errors:
        kind = str(error.get("type", "invalid"))
        if kind == "json_invalid":
            return problem_response(
                Problem(
                    400,
                    _("The request is malformed."),
                    "bad_request",
                    [FieldError("", "malformed_json", _("The body is not valid JSON."))],
                )
            )
        errors.append(FieldError(_field_path(error.get("loc", [])), *_validation_message(kind, error.get("ctx"))))
    return problem_response(invalid(errors))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(Problem(401, _("Sign in first: a valid bearer token is required."), "unauthenticated"))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(Problem(exc.status_code, str(exc), f"http_{exc.status_code}"))


@api.exception_handler(MultiPartParserError)
def on_malformed_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    from gddt.core.errors import FieldError

    return problem_response(
        Problem(
            400,
            _("The request is malformed."),
            "bad_request",
            [FieldError("", "malformed_multipart", _("The multipart body cannot be read."))],
        )
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(Problem(404, _("Not found."), "not_found"))


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("unexpected error on %s %s: %s", request.method, request.path, type(exc).__name__, exc_info=exc)
    return problem_response(Problem(500, _("Something went wrong on our side. Please try again."), "server_error"))


def _routers() -> None:
    from gddt.accounts.api import router as accounts_router
    from gddt.accounts.own_copy_api import router as own_copy_router
    from gddt.adminunits.api import router as adminunits_router
    from gddt.archives.api import router as archives_router
    from gddt.audit.api import router as audit_router
    from gddt.consents.api import router as consents_router
    from gddt.core.api import router as core_router
    from gddt.counter.api import router as counter_router
    from gddt.notifications.api import router as notifications_router
    from gddt.offices.api import router as offices_router
    from gddt.registrations.api import router as registrations_router
    from gddt.reports.api import router as reports_router

    for router in (
        registrations_router,
        consents_router,
        offices_router,
        adminunits_router,
        counter_router,
        archives_router,
        accounts_router,
        own_copy_router,
        audit_router,
        core_router,
        reports_router,
        notifications_router,
    ):
        api.add_router("", router)


_routers()
