"""What every counter page needs: the guard, the one way to reach a dossier, and small request helpers."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from gddt.accounts.decorators import officer_required
from gddt.accounts.models import User
from gddt.core.errors import Problem
from gddt.counter import services
from gddt.registrations.models import Dossier
from gddt.registrations.numbers import dossier_number_format


class OfficerRequest(HttpRequest):
    """A request that officer_required let through: its user is a signed-in, second-factor-verified officer."""

    user: User


def counter_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The accounts guard (signed-in officers past the second factor only; no cache), and a Problem that
    escapes the view (the access function's 404 outside reach, 403 for a missing role) as a counter page."""

    @officer_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Problem as problem:
            return render(request, "counter/problem.html", {"problem": problem}, status=problem.status)

    return wrapper


def reach(request: OfficerRequest, dossier_no: str, action: str) -> Dossier:
    return services.dossier_for_officer(officer=request.user, dossier_no=dossier_no, action=action)


def dossier_url(dossier: Dossier) -> str:
    return reverse("counter:dossier", kwargs={"dossier_no": dossier_number_format(dossier.number or "")})


def expected_version(request: OfficerRequest) -> int | None:
    raw = request.POST.get("version", "").strip()
    return int(raw) if raw.isdigit() else None


def done(request: OfficerRequest, dossier_no: str, message: str) -> HttpResponse:
    """Back to the dossier after an action, with the message of what was done."""
    messages.success(request, message)
    return redirect(reverse("counter:dossier", kwargs={"dossier_no": dossier_no}))


def private_file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A photo or a print: shown in the browser, never cached."""
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
