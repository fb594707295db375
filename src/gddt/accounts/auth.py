"""Authentication on the API and at the sign-in doors.

Officers: `Authorization: Bearer <token>` (from `gddt officer token`), or the web session of an officer who has
passed the second factor. Citizens: `Authorization: Bearer <token>` from `POST /api/v1/auth/login`. The two kinds
of token differ in prefix and in audience, so that neither is ever accepted by the other API."""

import hashlib
import secrets
from datetime import timedelta
from typing import cast

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_login_failed
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from ninja.security import APIKeyCookie, HttpBearer
from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken

from gddt.accounts.models import ApiToken, SignInFailure, TokenAudience, User, UserKind
from gddt.audit.services import audit_record

TOKEN_PREFIX = "gddt_"  # noqa: S105 - a marker, not a secret
CITIZEN_TOKEN_PREFIX = "gddtc_"  # noqa: S105 - a marker, not a secret


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token_store(*, user: User, prefix: str, audience: str, lifetime: timedelta) -> str:
    token = prefix + secrets.token_urlsafe(32)
    now = timezone.now()
    ApiToken.objects.create(
        user=user,
        audience=audience,
        key_hash=_hash(token),
        prefix=token[:12],
        created_at=now,
        expires_at=now + lifetime,
    )
    return token


def api_token_create(*, user: User, days: int | None = None) -> str:
    """A new officer token; only its hash is kept, so this is the one time it can be read."""
    return _token_store(
        user=user,
        prefix=TOKEN_PREFIX,
        audience=TokenAudience.OFFICER,
        lifetime=timedelta(days=days or settings.GDDT_API_TOKEN_DAYS),
    )


def citizen_token_create(*, user: User) -> str:
    """A new citizen token (POST /api/v1/auth/login)."""
    return _token_store(
        user=user, prefix=CITIZEN_TOKEN_PREFIX, audience=TokenAudience.CITIZEN, lifetime=citizen_token_lifetime()
    )


def citizen_token_lifetime() -> timedelta:
    """Short-lived (GDDT_ACCESS_TOKEN_SECONDS, an hour by default): the client signs in again after it."""
    return timedelta(seconds=settings.GDDT_ACCESS_TOKEN_SECONDS)


def citizen_token_revoke(*, user: User, token: str) -> int:
    """Revokes one live citizen token of `user` (POST /api/v1/auth/logout); returns how many (0 or 1)."""
    return ApiToken.objects.filter(user=user, key_hash=_hash(token), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def account_signed_out_everywhere(*, user: User) -> int:
    """Ends every way the account is signed in, at once: its API tokens, the access and refresh tokens and codes
    that OpenID Connect clients hold, and its web sessions (the session epoch enters the session hash, so each
    session ends at its next request). Returns how many tokens stopped working."""
    now = timezone.now()
    count = api_tokens_revoke(user=user)
    count += AccessToken.objects.filter(user=user).delete()[1].get(AccessToken._meta.label, 0)
    count += RefreshToken.objects.filter(user=user, revoked__isnull=True).update(revoked=now)
    Grant.objects.filter(user=user).delete()
    IDToken.objects.filter(user=user).delete()
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    return count


# --- the per-account limit: failures from any address, in a sliding window ------------------------------------


def account_failure_window() -> timedelta:
    return timedelta(minutes=settings.GDDT_ACCOUNT_FAILURE_WINDOW_MINUTES)


def account_is_locked(*, user: User) -> bool:
    """True while the account has GDDT_ACCOUNT_FAILURE_LIMIT failed sign-ins in the last window, whatever
    addresses they came from. The window slides: the lock ends as the oldest failures leave it."""
    since = timezone.now() - account_failure_window()
    return SignInFailure.objects.filter(user=user, at__gt=since).count() >= settings.GDDT_ACCOUNT_FAILURE_LIMIT


def account_failure_record(*, user: User) -> bool:
    """Counts one failed sign-in of the account; True when this failure reaches the limit (the account locks)."""
    was_locked = account_is_locked(user=user)
    SignInFailure.objects.create(user=user, at=timezone.now())
    return not was_locked and account_is_locked(user=user)


def account_failures_clear(*, user: User) -> bool:
    """Forgets the account's failures, the per-address ones of django-axes too (an officer's unlock, a reset, a
    re-issue). Returns whether the account was locked."""
    since = timezone.now() - timedelta(minutes=sign_in_lockout_minutes())
    was_locked = (
        account_is_locked(user=user)
        or AccessAttempt.objects.filter(
            username=user.username,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).exists()
    )
    SignInFailure.objects.filter(user=user).delete()
    axes_reset(username=user.username)
    return was_locked


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
    row = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(token), audience=audience, revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
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

    def __call__(self, request: HttpRequest) -> User | None:
        # Without a signed-in officer the request is unauthenticated (401): the CSRF check (403) guards only the
        # requests that the session would authorise.
        if self.authenticate(request, None) is None:
            return None
        return cast(User | None, super().__call__(request))

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


def citizen_audit_target(username: str) -> str:
    """What the audit log keeps of a citizen's username (a personal ID or an insurance number, or whatever was
    typed): a keyed hash, the same for the same text, so that the events of one account can be followed without
    the number being readable."""
    digest = salted_hmac("gddt.accounts.citizen_username", username.strip(), algorithm="sha256").hexdigest()
    return f"citizen:{digest[:20]}"


def _officer_password_step_audit(*, request: HttpRequest, username: str, user: User | None, locked: bool) -> None:
    """Officer sign-ins, failures and lock-outs go to the append-only audit log, not only to django-axes' tables
    (which an administrator can edit or empty). Never the password."""
    target, officer = (user.username, user) if user is not None else typed_username_for_audit(username)
    action = "sign_in.locked" if locked else "sign_in.fail" if user is None else "sign_in.password"
    audit_record(
        action=action,
        actor=user if not locked else None,
        office=officer.office if officer else None,
        request=request,
        target=target,
        detail={"step": "password"},
    )


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
