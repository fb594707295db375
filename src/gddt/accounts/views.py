"""Officer web pages of accounts: sign-in (password, then the authenticator app, set up at the first sign-in with an
enrolment code), sign-out, the director's staff and roles page, and the citizen's account on the dossier page.
Views parse, call a service or selector, and render."""

from base64 import b32encode
from collections.abc import Callable
from typing import Any, cast

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from gddt.accounts import selectors, services
from gddt.accounts.auth import SignInLocked, password_authenticate, sign_in_lockout_minutes
from gddt.accounts.decorators import is_officer, is_verified_officer, officer_home_url, officer_required, safe_next
from gddt.accounts.forms import CodeForm, EnrolmentCodeForm, RolesForm, SignInForm
from gddt.accounts.models import Role, User, UserKind
from gddt.core.clients import client_address
from gddt.core.errors import Problem
from gddt.counter.services import dossier_for_officer

NEXT_KEY = "gddt_sign_in_next"
# The officer (pk) whose enrolment code this session accepted: only then is the QR code of the authenticator shown.
ENROLMENT_KEY = "gddt_enrolment_code_accepted"


def _after_sign_in(request: HttpRequest) -> HttpResponse:
    target = safe_next(request, request.session.pop(NEXT_KEY, "")) or officer_home_url()
    return redirect(target)


def _officer(request: HttpRequest) -> User:
    return cast(User, request.user)


def _form_problem(form: Any, problem: Problem) -> None:
    fields = set(form.fields)
    for error in problem.errors:
        form.add_error(error.field if error.field in fields else None, str(error.message))
    if not problem.errors:
        form.add_error(None, str(problem.title))


# --- sign-in --------------------------------------------------------------------------------------------------


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Step 1: username and password (through django-axes). Citizens cannot sign in here."""
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "GET" and is_verified_officer(request.user):
        return redirect(next_url or officer_home_url())
    if request.method == "GET" and is_officer(request.user):  # the password is done: on to the code
        if next_url:
            request.session[NEXT_KEY] = next_url
        return redirect("accounts:otp_verify")
    form = SignInForm(request.POST if request.method == "POST" else None)
    status = 200
    locked = False
    if request.method == "POST" and form.is_valid():
        try:
            officer = password_authenticate(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                kind=UserKind.OFFICER,
            )
        except SignInLocked:
            locked, status = True, 429
        else:
            if officer is None:
                form.add_error(None, _("The username or the password is wrong."))
            else:
                login(request, officer)
                request.session[NEXT_KEY] = next_url
                return redirect("accounts:otp_verify")
    return _sign_in_page(request, form, next_url=next_url, locked=locked, status=status)


def _sign_in_page(
    request: HttpRequest, form: SignInForm, *, next_url: str = "", locked: bool = False, status: int = 200
) -> HttpResponse:
    context = {"form": form, "next": next_url, "locked": locked, "lockout_minutes": sign_in_lockout_minutes()}
    return render(request, "accounts/sign_in.html", context, status=status)


def _pending_officer(request: HttpRequest) -> HttpResponse | None:
    """Steps 2 and 3 are for an officer who passed the password step and not yet the second factor."""
    if not is_officer(request.user):
        return redirect_to_login(request.GET.get("next") or officer_home_url(), settings.LOGIN_URL)
    if is_verified_officer(request.user):
        return _after_sign_in(request)
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Step 2: the 6-digit code of the authenticator app (or its enrolment at the first sign-in)."""
    if (elsewhere := _pending_officer(request)) is not None:
        return elsewhere
    officer = _officer(request)
    if next_url := safe_next(request, request.GET.get("next")):
        request.session[NEXT_KEY] = next_url
    if services.otp_device_confirmed(user=officer) is None:
        return redirect("accounts:otp_enrol")
    form, status, device = _code_step(
        request, lambda code: services.otp_code_check(user=officer, code=code, client_ip=client_address(request))
    )
    if device is not None:
        return _verified(request, device)
    return render(request, "accounts/otp_verify.html", {"form": form}, status=status)


def _code_step(request: HttpRequest, check: Callable[[str], TOTPDevice]) -> tuple[CodeForm, int, TOTPDevice | None]:
    """The form of a 6-digit code: the device once `check` accepts the code; else the form with the refusal, and
    the status of the page (429 while wrong codes make the officer wait)."""
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            return form, 200, check(form.cleaned_data["code"])
        except Problem as problem:
            _form_problem(form, problem)
            return form, 429 if problem.status == 429 else 200, None
    return form, 200, None


def _verified(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    otp_login(request, device)
    request.session.cycle_key()  # a new session id for the fully signed-in officer
    return _after_sign_in(request)


def _qr_data_uri(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _secret_text(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Step 3 (first sign-in only): the enrolment code handed over by a director, then the authenticator app from
    a QR code, confirmed with a code it shows."""
    if (elsewhere := _pending_officer(request)) is not None:
        return elsewhere
    officer = _officer(request)
    if services.otp_device_confirmed(user=officer) is not None:
        return redirect("accounts:otp_verify")
    if request.session.get(ENROLMENT_KEY) != officer.pk:
        return _enrolment_code_step(request, officer)
    device = services.otp_enrolment_start(user=officer)
    form, status, confirmed = _code_step(
        request, lambda code: services.otp_enrolment_confirm(user=officer, code=code, client_ip=client_address(request))
    )
    if confirmed is not None:
        request.session.pop(ENROLMENT_KEY, None)
        messages.success(request, _("The authenticator app is set up. Next time, type the code it shows."))
        return _verified(request, confirmed)
    context = {
        "form": form,
        "qr": _qr_data_uri(device),
        "secret": _secret_text(device),
        "issuer": settings.OTP_TOTP_ISSUER,
        "username": officer.username,
    }
    response = render(request, "accounts/otp_enrol.html", context, status=status)
    response.headers["Cache-Control"] = "private, no-store"  # the page holds the secret
    return response


def _enrolment_code_step(request: HttpRequest, officer: User) -> HttpResponse:
    form = EnrolmentCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.otp_enrolment_code_redeem(user=officer, code=form.cleaned_data["enrolment_code"], request=request)
        except Problem as problem:
            if problem.code != "sign_in_locked":
                _form_problem(form, problem)
                return render(request, "accounts/otp_enrolment_code.html", {"form": form})
            logout(request)  # locked out: back to the start, where the lock-out is explained
            return _sign_in_page(request, SignInForm(), locked=True, status=429)
        request.session[ENROLMENT_KEY] = officer.pk
        return redirect("accounts:otp_enrol")
    return render(request, "accounts/otp_enrolment_code.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        logout(request)
        messages.info(request, _("You are signed out."))
        return redirect(settings.LOGIN_URL)
    return render(request, "accounts/sign_out.html")


# --- staff and roles (directors) ------------------------------------------------------------------------------

STAFF_PER_PAGE = 25


@officer_required
@require_http_methods(["GET"])
def staff(request: HttpRequest) -> HttpResponse:
    director = _officer(request)
    office_code = request.GET.get("office", "").strip() or None
    query = request.GET.get("q", "")[:100]
    officers = selectors.staff_officers(director=director, office_code=office_code, query=query)
    page = Paginator(officers, STAFF_PER_PAGE).get_page(request.GET.get("page"))
    is_admin = bool(selectors.offices_with_role(director, {Role.ADMIN}))
    role_choices = [(value, label) for value, label in Role.choices if is_admin or value != Role.ADMIN]
    context = {
        "members": selectors.staff_members(director=director, officers=page.object_list),
        "page": page,
        "offices": selectors.offices_managed(director=director),
        "office_code": office_code or "",
        "q": query,
        "role_choices": role_choices,
        "back": request.get_full_path(),
        "is_admin": is_admin,
    }
    return render(request, "accounts/staff.html", context)


@officer_required
@require_POST
def staff_roles(request: HttpRequest, username: str) -> HttpResponse:
    back = safe_next(request, request.POST.get("next")) or reverse("accounts:staff")
    form = RolesForm(request.POST)
    if not form.is_valid():
        for field, field_errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for message in field_errors:
                messages.error(request, f"{label}: {message}" if label else str(message))
        return redirect(back)
    data = form.cleaned_data
    try:
        services.officer_roles_set(
            director=_officer(request),
            username=username,
            office_code=data["office_code"],
            roles=data["roles"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            client_ip=client_address(request),
        )
    except Problem as problem:
        for field_error in problem.errors:
            messages.error(request, str(field_error.message))
        if not problem.errors:
            messages.error(request, str(problem.title))
    else:
        messages.success(
            request,
            _("The roles of %(username)s at office %(office)s are saved.")
            % {"username": username, "office": data["office_code"]},
        )
    return redirect(back)


@officer_required
@require_POST
def staff_enrolment_code(request: HttpRequest, username: str) -> HttpResponse:
    """A director issues a one-time enrolment code to an officer of their offices (shown once, on this page)."""
    reopened = services.officer_enrolment_reopen(
        director=_officer(request), username=username, client_ip=client_address(request)
    )
    back = safe_next(request, request.POST.get("next")) or reverse("accounts:staff")
    context = {
        "username": username,
        "code": reopened.enrolment.code,
        "expires_at": reopened.enrolment.expires_at,
        "removed": reopened.removed,
        "back": back,
    }
    return render(request, "accounts/enrolment_code.html", context)


# --- the dossier page: the citizen's account (re-issue, unlock) ------------------------------------------------


def _back_to_dossier(dossier_no: str) -> HttpResponse:
    return redirect(reverse("counter:dossier", args=[dossier_no]) + "#account-actions")


@officer_required
@require_POST
def dossier_account_reissue(request: HttpRequest, dossier_no: str) -> HttpResponse:
    """A new initial password by SMS for the person at the counter (receiving or approving officer, any office)."""
    dossier = dossier_for_officer(officer=_officer(request), dossier_no=dossier_no, action="account")
    done = services.citizen_credentials_reissue(
        officer=_officer(request), dossier=dossier, client_ip=client_address(request)
    )
    messages.success(
        request,
        _(
            "A new password went by SMS to the registered phone. It must be changed at the next "
            "sign-in and stops working on %(date)s."
        )
        % {"date": date_format(timezone.localtime(done.expires_at), "d/m/Y H:i")},
    )
    return _back_to_dossier(dossier_no)


@officer_required
@require_POST
def dossier_account_unlock(request: HttpRequest, dossier_no: str) -> HttpResponse:
    """Forget the failed sign-ins of the dossier's account, so that the person can sign in at once."""
    dossier = dossier_for_officer(officer=_officer(request), dossier_no=dossier_no, action="account")
    was_locked = services.citizen_account_unlock(
        officer=_officer(request), dossier=dossier, client_ip=client_address(request)
    )
    messages.success(
        request,
        _("The account is unlocked.") if was_locked else _("The account was not locked; nothing needed unlocking."),
    )
    return _back_to_dossier(dossier_no)
