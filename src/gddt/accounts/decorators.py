"""The guard of every officer page: `@officer_required` (function views) or `OfficerRequiredMixin` (class views).

An officer reaches a page only when signed in with the password AND the second factor (TOTP). Someone signed
in with the password only is sent to the code step; anyone else to the sign-in page. A `Problem` that escapes
the view (404 outside reach, 403 for a missing role) becomes a clear page with that status."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from gddt.accounts.models import UserKind
from gddt.core.errors import Problem


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """A same-site path to return to after signing in, or "" (never another site: an open redirect)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def officer_home_url() -> str:
    """Where an officer lands after signing in: the counter's home page."""
    try:
        return reverse("counter:home")
    except NoReverseMatch:
        return "/can-bo/"


def is_officer(user: Any) -> bool:
    """Signed in with the password (maybe not yet with the second factor) as an active officer."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "kind", None) == UserKind.OFFICER
    )


def is_verified_officer(user: Any) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return is_officer(user) and is_verified is not None and bool(is_verified())


def officer_gate(request: HttpRequest) -> HttpResponse | None:
    """None when the request comes from a verified officer; otherwise where to send it."""
    if is_verified_officer(request.user):
        return None
    if is_officer(request.user):
        return HttpResponseRedirect(f"{reverse('accounts:otp_verify')}?{urlencode({'next': request.get_full_path()})}")
    return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)


def problem_page(request: HttpRequest, problem: Problem) -> HttpResponse:
    return render(request, "accounts/problem.html", {"problem": problem}, status=problem.status)


def officer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        redirect = officer_gate(request)
        if redirect is not None:
            return redirect
        try:
            response = view(request, *args, **kwargs)
        except Problem as problem:
            response = problem_page(request, problem)
        # Officer pages show personal data and roles: never kept in a shared or browser cache.
        response.headers.setdefault("Cache-Control", "private, no-store")
        return response

    return wrapper


class OfficerRequiredMixin:
    """The same guard for class-based views (put it first among the bases)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        redirect = officer_gate(request)
        if redirect is not None:
            return redirect
        try:
            response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        except Problem as problem:
            response = problem_page(request, problem)
        response.headers.setdefault("Cache-Control", "private, no-store")
        return response


# --- citizens' pages --------------------------------------------------------------------------------------------


def is_citizen(user: Any) -> bool:
    """Signed in on the web as an active citizen."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "kind", None) == UserKind.CITIZEN
    )


def citizen_required(view: Callable[..., HttpResponse] | None = None, *, allow_pending_change: bool = False) -> Any:
    """The guard of the citizen's pages: anyone else goes to the citizen sign-in (and comes back); a citizen who
    still holds the initial password goes to the forced change first, unless the page is that change."""

    def decorate(inner: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(inner)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not is_citizen(request.user):
                return redirect_to_login(request.get_full_path(), reverse("accounts:citizen_sign_in"))
            if getattr(request.user, "must_change_password", False) and not allow_pending_change:
                return HttpResponseRedirect(
                    f"{reverse('accounts:citizen_password')}?{urlencode({'next': request.get_full_path()})}"
                )
            response = inner(request, *args, **kwargs)
            response.headers.setdefault("Cache-Control", "private, no-store")
            return response

        return wrapper

    return decorate(view) if view is not None else decorate
