"""The forms that change a dossier: supplement a photo, correct, verify, approve, reject, reopen. A refusal
shows the dossier afresh with the problem; a success goes back to it with a message. The page's script sends
the same forms with fetch and puts the page it gets in place (counter/static/counter/dossier.js)."""

from collections.abc import Callable

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gddt.core.clients import client_address
from gddt.core.errors import FieldError, Problem, invalid
from gddt.counter import services
from gddt.counter.labels import kind_label
from gddt.counter.views.common import (
    OfficerRequest,
    counter_view,
    done,
    expected_version,
    reach,
)
from gddt.counter.views.correction import correction_changes
from gddt.counter.views.dossier import dossier_page


@counter_view
@require_POST
def supplement(request: OfficerRequest, dossier_no: str, kind: str) -> HttpResponse:
    """Supplements or replaces one component: a chosen file, or a still from the camera script."""
    found = reach(request, dossier_no, "edit")
    upload = request.FILES.get("file")
    problem: Problem | None = None
    if upload is None:
        problem = invalid([FieldError("file", "required", _("Choose a photo or take one with the camera first."))])
    else:
        try:
            services.document_supplement(
                officer=request.user,
                dossier=found,
                kind=kind,
                upload=upload,
                expected_version=expected_version(request),
                client_ip=client_address(request),
            )
        except Problem as refused:
            problem = refused
    if problem is not None:
        return dossier_page(request, dossier_no, problem=problem)
    return done(request, dossier_no, _("Saved: %(kind)s.") % {"kind": kind_label(kind)})


@counter_view
@require_POST
def correct(request: OfficerRequest, dossier_no: str) -> HttpResponse:
    found = reach(request, dossier_no, "edit")
    changes, submitted = correction_changes(found, request.POST)
    try:
        services.dossier_correct(
            officer=request.user,
            dossier=found,
            changes=changes,
            reason=request.POST.get("reason", ""),
            expected_version=expected_version(request),
            client_ip=client_address(request),
        )
    except Problem as problem:
        # A stale page shows the latest data; any other refusal keeps what the officer typed.
        keep = None if problem.status == 412 else submitted
        return dossier_page(request, dossier_no, problem=problem, submitted=keep)
    return done(request, dossier_no, _("The corrections are saved."))


def _decide(
    request: OfficerRequest,
    dossier_no: str,
    action: str,
    service: Callable[..., object],
    message: str,
    **arguments: str,
) -> HttpResponse:
    """Reaches the dossier for `action`, runs the service on it (with the officer, the address, the version the page
    showed, and `arguments` from the form), and shows the outcome."""
    found = reach(request, dossier_no, action)
    try:
        service(
            officer=request.user,
            dossier=found,
            client_ip=client_address(request),
            expected_version=expected_version(request),
            **arguments,
        )
    except Problem as problem:
        return dossier_page(request, dossier_no, problem=problem)
    return done(request, dossier_no, message)


@counter_view
@require_POST
def verify(request: OfficerRequest, dossier_no: str) -> HttpResponse:
    message = _("The dossier is verified. An approving officer can now approve it.")
    return _decide(request, dossier_no, "verify", services.dossier_verify, message)


@counter_view
@require_POST
def approve(request: OfficerRequest, dossier_no: str) -> HttpResponse:
    # The username is an ID number: the page shows it, the flash message (kept in a cookie) does not.
    message = _("Approved: the account is active and the initial password went to the registered phone by SMS.")
    return _decide(request, dossier_no, "approve", services.dossier_approve, message)


@counter_view
@require_POST
def reject(request: OfficerRequest, dossier_no: str) -> HttpResponse:
    message = _("The dossier is rejected; the person is told by SMS.")
    form = {"reason_code": request.POST.get("reason_code", ""), "note": request.POST.get("note", "").strip()}
    return _decide(request, dossier_no, "reject", services.dossier_reject, message, **form)


@counter_view
@require_POST
def reopen(request: OfficerRequest, dossier_no: str) -> HttpResponse:
    message = _("The dossier is open again, with a new deadline.")
    note = request.POST.get("note", "").strip()
    return _decide(request, dossier_no, "reopen", services.dossier_reopen, message, note=note)
