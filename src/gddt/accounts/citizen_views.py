"""The citizen's web pages (Vietnamese first): sign in with either number, the forced change of the SMS password,
change password, forgot password (a code by SMS, then the code and a new password), "my registration", sign out
and sign out everywhere. The sign-in page is also the login step of the OpenID Connect provider. Views parse, call
the same services as the API, and render."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from gddt.accounts import selectors, services
from gddt.accounts.auth import sign_in_lockout_minutes
from gddt.accounts.decorators import citizen_required, is_citizen, safe_next
from gddt.accounts.forms import (
    CitizenSignInForm,
    PasswordChangeForm,
    PasswordResetConfirmForm,
    PasswordResetRequestForm,
)
from gddt.accounts.models import User
from gddt.accounts.own_copy import citizen_copy_zip, copy_filename
from gddt.core.clients import client_address
from gddt.core.errors import Problem

# The username typed on the "forgot password" page, kept for the next step in the session, never in a URL.
RESET_USERNAME_KEY = "gddt_reset_username"


def _home() -> str:
    return reverse("accounts:citizen_home")


def _put_problem(form: Any, problem: Problem) -> None:
    """A service's refusal beside the fields it names, or above the form."""
    fields = set(form.fields)
    for error in problem.errors:
        form.add_error(error.field if error.field in fields else None, str(error.message))
    if not any(error.field in fields for error in problem.errors):
        form.add_error(None, str(problem.title))


def _citizen(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Either number and the password; then the forced change when the password is still the one from the SMS."""
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "GET" and is_citizen(request.user):
        return redirect(next_url or _home())
    form = CitizenSignInForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.citizen_sign_in(
                request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except Problem as problem:
            form.add_error(None, str(problem.title))
            status = problem.status
        else:
            login(request, user)
            if user.must_change_password:
                change = reverse("accounts:citizen_password")
                return redirect(f"{change}?{urlencode({'next': next_url})}" if next_url else change)
            return redirect(next_url or _home())
    return render(
        request,
        "accounts/citizen/sign_in.html",
        {"form": form, "next": next_url, "lockout_minutes": sign_in_lockout_minutes()},
        status=status,
    )


@citizen_required
@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    """The account and "my registration"."""
    user = _citizen(request)
    context = {
        "profile": selectors.citizen_profile(user=user),
        "registration": selectors.citizen_registration(user=user),
    }
    return render(request, "accounts/citizen/home.html", context)


@citizen_required
@never_cache
@require_http_methods(["GET"])
def own_copy(request: HttpRequest) -> HttpResponse:
    """Everything held about the signed-in person, as one zip file (data.json and the images); audited."""
    content = citizen_copy_zip(user=_citizen(request), client_ip=client_address(request))
    response = HttpResponse(content, content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'attachment; filename="{copy_filename(extension="zip")}"'
    return response


@sensitive_post_parameters("old_password", "new_password", "new_password_again")
@citizen_required(allow_pending_change=True)
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change the password; the forced step after signing in with the password from the SMS."""
    user = _citizen(request)
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.citizen_password_change(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                client_ip=client_address(request),
            )
        except Problem as problem:
            _put_problem(form, problem)
        else:
            update_session_auth_hash(request, user)  # this session goes on; the others end
            messages.success(request, _("Your password is changed."))
            return redirect(next_url or _home())
    return render(
        request,
        "accounts/citizen/password_change.html",
        {"form": form, "next": next_url, "forced": user.must_change_password},
    )


@sensitive_post_parameters("phone")
@never_cache
@require_http_methods(["GET", "POST"])
def password_forgot(request: HttpRequest) -> HttpResponse:
    """Step 1: either number and the registered phone; a code goes by SMS when they match (the page says the same
    whether or not they do)."""
    form = PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_request(
                username=form.cleaned_data["username"],
                phone=form.cleaned_data["phone"],
                client_ip=client_address(request),
            )
        except Problem as problem:
            _put_problem(form, problem)
            status = problem.status if problem.status == 429 else 200
        else:
            request.session[RESET_USERNAME_KEY] = form.cleaned_data["username"].strip()
            return redirect("accounts:citizen_password_reset")
    return render(request, "accounts/citizen/password_forgot.html", {"form": form}, status=status)


@sensitive_post_parameters("code", "new_password", "new_password_again")
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the SMS and a new password; then sign in with it."""
    username = request.session.get(RESET_USERNAME_KEY)
    if not username:
        return redirect("accounts:citizen_password_forgot")
    form = PasswordResetConfirmForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(
                username=username,
                code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password"],
                client_ip=client_address(request),
            )
        except Problem as problem:
            _put_problem(form, problem)
            status = problem.status if problem.status == 429 else 200
        else:
            request.session.pop(RESET_USERNAME_KEY, None)
            messages.success(request, _("Your password is changed. Sign in with the new password."))
            return redirect("accounts:citizen_sign_in")
    return render(request, "accounts/citizen/password_reset.html", {"form": form}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """This browser only."""
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("accounts:citizen_sign_in")


@citizen_required(allow_pending_change=True)
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """Every browser, app and service signed in with this account, at once."""
    services.citizen_logout_everywhere(user=_citizen(request), client_ip=client_address(request))
    logout(request)
    messages.info(request, _("You are signed out everywhere: on every phone, computer and app."))
    return redirect("accounts:citizen_sign_in")
