"""Authentication on the API and at the sign-in doors.

Officers: `Authorization: Bearer <token>` (from `gddt officer token`), or the web session of an officer who has
passed the second factor. Citizens: `Authorization: Bearer <token>` from `POST /api/v1/auth/login`. The two kinds
of token differ in prefix and in audience, so that neither is ever accepted by the other API."""

import hashlib
import secrets
from datetime import timedelta
from typing import cast

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from ninja.security import APIKeyCookie, HttpBearer

from gddt.accounts.models import ApiToken, TokenAudience, User, UserKind
from gddt.audit.services import audit_record

TOKEN_PREFIX = "gddt_"  # noqa: S105 - a marker, not a secret
CITIZEN_TOKEN_PREFIX = "gddtc_"  # noqa: S105 - a marker, not a secret
# A citizen signs in from a phone app; a day keeps them signed in without leaving a token valid for long.
CITIZEN_TOKEN_LIFETIME = timedelta(hours=24)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token_store(*, user: User, prefix: str, audience: str, lifetime: timedelta) -> str:
    token = prefix + secrets.token_urlsafe(32)
    now = timezone.now()
    ApiToken.objects.create(user=user, audience=audience, key_hash=_hash(token), prefix=token[:12],
                            created_at=now, expires_at=now + lifetime)
    return token


def api_token_create(*, user: User, days: int | None = None) -> str:
    """A new officer token; only its hash is kept, so this is the one time it can be read."""
    return _token_store(user=user, prefix=TOKEN_PREFIX, audience=TokenAudience.OFFICER,
                        lifetime=timedelta(days=days or settings.GDDT_API_TOKEN_DAYS))


def citizen_token_create(*, user: User) -> str:
    """A new citizen token (POST /api/v1/auth/login)."""
    return _token_store(user=user, prefix=CITIZEN_TOKEN_PREFIX, audience=TokenAudience.CITIZEN,
                        lifetime=CITIZEN_TOKEN_LIFETIME)


def api_tokens_revoke(*, user: User, keep: str | None = None) -> int:
    """Revokes every live token of the user (except `keep`, a token in clear); returns how many."""
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if keep:
        tokens = tokens.exclude(key_hash=_hash(keep))
    return tokens.update(revoked_at=timezone.now())


def _token_user(token: str, *, prefix: str, audience: str, kind: str) -> User | None:
    if not token.startswith(prefix) or len(token) > 100:
        return None
    now = timezone.now()
    row = (ApiToken.objects.select_related("user")
           .filter(key_hash=_hash(token), audience=audience, revoked_at__isnull=True, expires_at__gt=now).first())
    if row is None or not row.user.is_active or row.user.kind != kind:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def api_token_user(token: str) -> User | None:
    return _token_user(token, prefix=TOKEN_PREFIX, audience=TokenAudience.OFFICER, kind=UserKind.OFFICER)


def citizen_token_user(token: str) -> User | None:
    return _token_user(token, prefix=CITIZEN_TOKEN_PREFIX, audience=TokenAudience.CITIZEN, kind=UserKind.CITIZEN)


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


class CitizenBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = citizen_token_user(token)
        if user is not None:
            request.user = user
        return user


officer_auth = [OfficerBearer(), OfficerSession()]
citizen_auth = [CitizenBearer()]


# --- the sign-in doors (officer web page, citizen API) --------------------------------------------------------

class SignInLocked(Exception):
    """Too many failed attempts for this username from this address (django-axes)."""


def password_authenticate(*, request: HttpRequest, username: str, password: str, kind: str) -> User | None:
    """The user of `kind` with these credentials, or None: a wrong username, a wrong password and the right
    password at the wrong door (a citizen on the officers' page) look the same and count as a failure.
    Raises SignInLocked once django-axes has locked the username out from this address."""
    user = cast(User | None, authenticate(request, username=username, password=password))
    if user is not None and (getattr(user, "kind", None) != kind or not user.is_active):
        user = None
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    locked = bool(getattr(request, "axes_locked_out", False))
    # We answer the lock-out ourselves (a page or problem+json), so axes' middleware must not replace it.
    request.axes_locked_out = False  # type: ignore[attr-defined]
    if kind == UserKind.OFFICER:
        _officer_password_step_audit(request=request, username=username, user=user, locked=locked)
    if locked:
        raise SignInLocked
    return user


def typed_username_for_audit(username: str) -> tuple[str, User | None]:
    """What the audit log keeps of a username typed at the officers' door: the username and the officer when it
    is an officer's; otherwise a keyed hash (a mistyped password, a citizen's personal ID typed at the wrong door),
    the same for the same text, so that repeated tries can be counted without the text being readable."""
    officer = User.objects.filter(username=username, kind=UserKind.OFFICER).select_related("office").first()
    if officer is not None:
        return officer.username, officer
    digest = salted_hmac("gddt.accounts.sign_in_username", username, algorithm="sha256").hexdigest()
    return f"unknown:{digest[:16]}", None


def _officer_password_step_audit(*, request: HttpRequest, username: str, user: User | None, locked: bool) -> None:
    """Officer sign-ins, failures and lock-outs go to the append-only audit log, not only to django-axes' tables
    (which an administrator can edit or empty). Never the password."""
    target, officer = (user.username, user) if user is not None else typed_username_for_audit(username)
    action = "sign_in.locked" if locked else "sign_in.fail" if user is None else "sign_in.password"
    audit_record(action=action, actor=user if not locked else None, office=officer.office if officer else None,
                 request=request, target=target, detail={"step": "password"})


def sign_in_is_locked(*, request: HttpRequest, username: str) -> bool:
    """True while django-axes keeps `username` locked out from this address."""
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def sign_in_failure_count(*, request: HttpRequest, username: str) -> bool:
    """Counts a failed later step of a sign-in (a wrong enrolment code) as one more failed attempt of `username`
    from this address, as a wrong password is; True when this failure locks the username out."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    locked = bool(getattr(request, "axes_locked_out", False))
    # As in password_authenticate: the lock-out is answered by our page, not by axes' middleware.
    request.axes_locked_out = False  # type: ignore[attr-defined]
    return locked


def token_sign_in_succeeded(*, request: HttpRequest, user: User, username: str) -> None:
    """What django.contrib.auth.login does for a session, for a sign-in that hands out a token instead:
    the failures counted so far are forgotten (AXES_RESET_ON_SUCCESS) and last_login is set. No session is
    created: an API client has none."""
    ip_address = getattr(request, "axes_ip_address", None)
    if settings.AXES_RESET_ON_SUCCESS and ip_address:
        axes_reset(ip=ip_address, username=username)
    update_last_login(type(user), user)


def sign_in_lockout_minutes() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    hours = float(cool_off) if isinstance(cool_off, int | float) else 0.25
    return max(1, round(hours * 60))
