"""The address of the client that sent a request: views and endpoints read it here and hand it to services."""

from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The peer address of the request ("" when unknown); the one place to learn a trusted proxy's header."""
    return request.META.get("REMOTE_ADDR") or ""
