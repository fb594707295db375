"""Compression of the app's own pages: Django's GZipMiddleware (with its BREACH mitigation, random bytes in the
gzip header) for HTML only, what a phone on slow data waits for. Photos, PDFs and spreadsheets are compressed
formats already; the JSON API's answers are small and read by programs (its fuzzing client reads them unencoded);
static files are compressed ahead of time by WhiteNoise, which serves them before this middleware runs."""

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

PAGE_TYPES = ("text/html",)


class PageGZipMiddleware(GZipMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith(PAGE_TYPES):
            return response
        return super().process_response(request, response)
