"""The JSON API under /api/v1/ (django-ninja; the OpenAPI document is generated from this code). Every error
is `application/problem+json` (RFC 9457) with an `errors` list of {field, code, message}."""

import json
import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from gddt.core.errors import Problem

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="GDĐT — đăng ký giao dịch điện tử (BHXH Việt Nam)",
    version="1.0.0",
    description="Registration of individuals for electronic transactions with Vietnam Social Security.",
    urls_namespace="api",
)


def problem_response(problem: Problem) -> HttpResponse:
    response = HttpResponse(json.dumps(problem.as_dict(), ensure_ascii=False), status=problem.status,
                            content_type="application/problem+json")
    if problem.status == 401:
        response["WWW-Authenticate"] = "Bearer"
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


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    from gddt.core.errors import FieldError, invalid

    errors = []
    for error in exc.errors:
        kind = str(error.get("type", "invalid"))
        if kind == "json_invalid":
            return problem_response(Problem(400, _("The request is malformed."), "bad_request",
                                            [FieldError("", "malformed_json", _("The body is not valid JSON."))]))
        code = "required" if kind == "missing" else kind
        message = _("This field is required.") if kind == "missing" else _("This value is not valid.")
        errors.append(FieldError(_field_path(error.get("loc", [])), code, message))
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

    return problem_response(Problem(400, _("The request is malformed."), "bad_request",
                                    [FieldError("", "malformed_multipart", _("The multipart body cannot be read."))]))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(Problem(404, _("Not found."), "not_found"))


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("unexpected error on %s %s: %s", request.method, request.path, type(exc).__name__,
                 exc_info=exc)
    return problem_response(Problem(500, _("Something went wrong on our side. Please try again."), "server_error"))


def _routers() -> None:
    from gddt.accounts.api import router as accounts_router
    from gddt.adminunits.api import router as adminunits_router
    from gddt.audit.api import router as audit_router
    from gddt.core.api import router as core_router
    from gddt.counter.api import router as counter_router
    from gddt.notifications.api import router as notifications_router
    from gddt.offices.api import router as offices_router
    from gddt.registrations.api import router as registrations_router
    from gddt.reports.api import router as reports_router

    for router in (registrations_router, offices_router, adminunits_router, counter_router, accounts_router,
                   audit_router, core_router, reports_router, notifications_router):
        api.add_router("", router)


_routers()
