"""Compression of the app's own answers: Django's GZipMiddleware (with its BREACH mitigation, random bytes in the
gzip header) for text only. Photos, PDFs and spreadsheets are compressed formats already; static files are
compressed ahead of time by WhiteNoise, which serves them before this middleware runs."""

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

TEXT_TYPES = ("text/", "application/json", "application/problem+json", "application/javascript", "image/svg+xml")


class TextGZipMiddleware(GZipMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith(TEXT_TYPES):
            return response
        return super().process_response(request, response)
