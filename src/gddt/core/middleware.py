import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    """Refuses a body larger than GDDT_MAX_REQUEST_BYTES before Django reads it (Django limits only form
    fields, not uploaded files)."""

    def __init__(self, get_response):
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
            return HttpResponse(json.dumps(body, ensure_ascii=False), status=413,
                                content_type="application/problem+json")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy: every asset is served by the app itself, nothing inline runs."""

    POLICY = (
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; "
        "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/v1/docs"):
            return response  # the interactive API docs load their own inline script
        response.headers.setdefault("Content-Security-Policy", self.POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
        return response
