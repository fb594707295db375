import json
import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from gddt.core.logs import REQUEST_ID_HEADER, request_id_clean, request_id_var
from gddt.core.metrics import LATENCY, REQUESTS

request_logger = logging.getLogger("gddt.request")
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class RequestSizeLimitMiddleware:
    """Refuses a body larger than GDDT_MAX_REQUEST_BYTES before Django reads it (Django limits only form
    fields, not uploaded files)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.GDDT_MAX_REQUEST_BYTES:
            body = {
                "type": "https://gddt.baohiemxahoi.gov.vn/problems/request_too_large",
                "title": _("The request is too large."),
                "status": 413,
                "code": "request_too_large",
                "errors": [{"field": "", "code": "request_too_large", "message": _("The request is too large.")}],
            }
            return HttpResponse(
                json.dumps(body, ensure_ascii=False), status=413, content_type="application/problem+json"
            )
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy: every asset is served by the app itself, nothing inline runs."""

    POLICY = (
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; "
        "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/v1/docs"):
            return response  # the interactive API docs load their own inline script
        response.headers.setdefault("Content-Security-Policy", self.POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
        return response


class RequestLogMiddleware:
    """First in the chain: gives the request an id (a proxy's `X-Request-ID` when it is a plain token, else a new
    one) that every log line of the request carries and the response returns; then counts the request for the
    metrics and logs one line with the route template, never the path's values nor the query string."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_clean(request.headers.get(REQUEST_ID_HEADER)) or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            seconds = time.perf_counter() - started
            route = _route_template(request)
            method = request.method if request.method in METHODS else "other"  # a bounded set of labels
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(seconds)
            request_logger.info(
                "%s %s %s",
                method,
                route,
                status,
                extra={
                    "request_id": request_id,
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            request_id_var.reset(token)


def _route_template(request: HttpRequest) -> str:
    """The URL pattern that answered, e.g. /api/v1/registrations/<dossier_no>: a bounded set of labels that holds
    none of the values a path carries."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return "/" + match.route.lstrip("^").rstrip("$")
    if request.path.startswith(settings.STATIC_URL):
        return settings.STATIC_URL + "*"
    return "unmatched"
