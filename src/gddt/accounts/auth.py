"""Authentication of officers on the API: `Authorization: Bearer <token>` (from `gddt officer token`), or the
web session of an officer who has passed the second factor."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from gddt.accounts.models import ApiToken, User, UserKind

TOKEN_PREFIX = "gddt_"  # noqa: S105 - a marker, not a secret


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, user: User, days: int | None = None) -> str:
    """A new token; only its hash is kept, so this is the one time it can be read."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    ApiToken.objects.create(user=user, key_hash=_hash(token), prefix=token[:12], created_at=now,
                            expires_at=now + timedelta(days=days or settings.GDDT_API_TOKEN_DAYS))
    return token


def api_token_user(token: str) -> User | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    now = timezone.now()
    row = (ApiToken.objects.select_related("user")
           .filter(key_hash=_hash(token), revoked_at__isnull=True, expires_at__gt=now).first())
    if row is None or not row.user.is_active or row.user.kind != UserKind.OFFICER:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


class OfficerBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


class OfficerSession(APIKeyCookie):
    """The signed-in officer of the web pages (CSRF-checked), only after the second factor."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or getattr(user, "kind", None) != UserKind.OFFICER:
            return None
        if not user.is_verified():  # set by django_otp's middleware
            return None
        return user


officer_auth = [OfficerBearer(), OfficerSession()]
