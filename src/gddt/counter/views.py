"""The officer's back office (product.md "Interfaces"): search any reference, the dossier beside its photos,
supplement, print, verify, approve, reject, reopen, correct. These views only parse, call the counter services
and selectors (which hold every rule and write the audit events) and render."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gddt.accounts.decorators import officer_required
from gddt.accounts.models import User
from gddt.accounts.selectors import offices_with_role
from gddt.core.clients import client_address
from gddt.core.errors import FieldError, Problem, invalid
from gddt.counter import selectors, services
from gddt.offices.models import Office
from gddt.offices.selectors import office_subtree
from gddt.registrations.models import (
    Category,
    DocumentKind,
    DocumentSource,
    Dossier,
    IdDocumentType,
    Relationship,
    Sex,
    Status,
)
from gddt.registrations.numbers import dossier_number_format
from gddt.registrations.selectors import missing_documents
from gddt.registrations.states import EDIT, PRINT_DECLARATION, PRINT_GUIDE, state_allows

PAGE_SIZE = 25

# Names of the fields a service may name in an error, as the officer reads them on the page.
FIELD_LABELS = {
    "q": gettext_lazy("Reference"),
    "file": gettext_lazy("Photo"),
    "kind": gettext_lazy("Component"),
    "reason": gettext_lazy("Reason for the correction"),
    "reason_code": gettext_lazy("Reason for rejection"),
    "note": gettext_lazy("Note"),
    "version": gettext_lazy("Version"),
    "changes": gettext_lazy("Corrections"),
    "status": gettext_lazy("Status"),
    "office": gettext_lazy("Office"),
    "office_code": gettext_lazy("Office"),
    "full_name": gettext_lazy("Full name"),
    "date_of_birth": gettext_lazy("Date of birth"),
    "sex": gettext_lazy("Sex"),
    "nationality": gettext_lazy("Nationality"),
    "personal_id": gettext_lazy("Personal ID number"),
    "bhxh_code": gettext_lazy("Insurance number"),
    "phone": gettext_lazy("Mobile phone"),
    "email": gettext_lazy("Email"),
    "address.street": gettext_lazy("Street address"),
    "address.ward_code": gettext_lazy("Ward / commune"),
    "address.province_code": gettext_lazy("Province"),
    "id_document.type": gettext_lazy("ID document type"),
    "id_document.number": gettext_lazy("ID document number"),
    "id_document.issued_on": gettext_lazy("ID document issued on"),
    "id_document.issued_by": gettext_lazy("ID document issued by"),
    "birth_certificate.number": gettext_lazy("Birth certificate number"),
    "birth_certificate.issued_on": gettext_lazy("Birth certificate issued on"),
    "birth_certificate.issued_by": gettext_lazy("Birth certificate issued by"),
    "guardian.full_name": gettext_lazy("Guardian's full name"),
    "guardian.relationship": gettext_lazy("Guardian's relationship"),
    "guardian.personal_id": gettext_lazy("Guardian's personal ID number"),
    "guardian.phone": gettext_lazy("Guardian's mobile phone"),
}

AUDIT_ACTIONS = {
    "dossier.view": gettext_lazy("Viewed the dossier"),
    "dossier.search": gettext_lazy("Found the dossier by a reference"),
    "document.view": gettext_lazy("Viewed a photo"),
    "document.supplement": gettext_lazy("Supplemented a photo"),
    "dossier.correct": gettext_lazy("Corrected the data"),
    "dossier.verify": gettext_lazy("Verified"),
    "dossier.approve": gettext_lazy("Approved"),
    "dossier.reject": gettext_lazy("Rejected"),
    "dossier.reopen": gettext_lazy("Reopened"),
    "declaration.print": gettext_lazy("Printed the declaration"),
    "guide.print": gettext_lazy("Printed the VssID guide"),
    "history.view": gettext_lazy("Viewed the history"),
}

TRANSITION_ACTIONS = {
    "submit": gettext_lazy("Submitted"),
    "verify": gettext_lazy("Verified"),
    "approve": gettext_lazy("Approved"),
    "reject": gettext_lazy("Rejected"),
    "expire": gettext_lazy("Expired"),
    "reopen": gettext_lazy("Reopened"),
}

# Which camera a phone or tablet should open for a component (the `capture` attribute).
SELFIE_KINDS = {DocumentKind.PORTRAIT}


class OfficerRequest(HttpRequest):
    """A request that officer_required let through: its user is a signed-in, second-factor-verified officer."""

    user: User


# --- access -------------------------------------------------------------------------------------------------

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


def _reach(request: OfficerRequest, dossier_no: str, action: str) -> Dossier:
    return services.dossier_for_officer(officer=request.user, dossier_no=dossier_no, action=action)


def _dossier_url(dossier: Dossier) -> str:
    return reverse("counter:dossier", kwargs={"dossier_no": dossier_number_format(dossier.number or "")})


def _expected_version(request: OfficerRequest) -> int | None:
    raw = request.POST.get("version", "").strip()
    return int(raw) if raw.isdigit() else None


def _wants_json(request: OfficerRequest) -> bool:
    """The camera script posts with fetch and reads JSON; a plain form post gets a page."""
    return request.headers.get("X-Requested-With") == "fetch"


# --- problems as text ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ShownProblem:
    title: str
    lines: list[str]
    missing: list[str]
    fields: dict[str, str]
    stale: bool


def _kind_label(kind: str) -> str:
    try:
        return str(DocumentKind(kind).label)
    except ValueError:
        return kind


def problem_show(problem: Problem) -> ShownProblem:
    """A Problem as the officer reads it: each error with the field it names, and the missing components."""
    lines: list[str] = []
    fields: dict[str, str] = {}
    missing_kinds = problem.extra.get("missing_documents", [])
    for error in problem.errors:
        if missing_kinds and error.field in missing_kinds:
            continue  # listed below as the missing components
        label = FIELD_LABELS.get(error.field)
        lines.append(f"{label}: {error.message}" if label else str(error.message))
        fields.setdefault(error.field, str(error.message))
    codes = {problem.code, *(error.code for error in problem.errors)}
    stale = problem.status == 412 or "stale_version" in codes
    title = str(problem.title)
    if stale:
        title = _("Someone changed this dossier while you were looking at it. The page now shows the latest "
                  "data: check it and do it again.")
    elif "mistyped_dossier_no" in codes:
        title = _("This dossier number is mistyped: its check digit does not match. Read it again from the SMS "
                  "or the printed declaration.")
        lines = []
    elif missing_kinds:
        title = _("Not approved: a required component is missing. Supplement it first, then approve.")
    missing = [_kind_label(kind) for kind in missing_kinds]
    return ShownProblem(title=title, lines=lines, missing=missing, fields=fields, stale=stale)


# --- search and browse --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    dossier: Dossier
    number: str
    status: str
    category: str
    age_days: int


def _rows(dossiers: Any) -> list[Row]:
    now = timezone.now()
    return [Row(dossier=d, number=dossier_number_format(d.number or ""), status=str(Status(d.status).label),
                category=str(Category(d.category).label), age_days=selectors.dossier_age_days(d, now=now))
            for d in dossiers]


def _browse_offices(request: OfficerRequest) -> list[Office]:
    offices: dict[str, Office] = {}
    for top in offices_with_role(request.user, selectors.BROWSE_ROLES):
        for office in office_subtree(top).filter(is_active=True):
            offices.setdefault(office.path, office)
    return [offices[path] for path in sorted(offices)]


@counter_view
@never_cache
@require_http_methods(["GET", "POST"])
def home(request: OfficerRequest) -> HttpResponse:
    """The search box (POST: a reference is an ID number and never goes into a URL) above the browse queue."""
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        q = request.POST.get("q", "")
        context["q"] = q
        try:
            hits = selectors.dossier_search(officer=request.user, q=q, client_ip=client_address(request))
        except Problem as problem:
            context["search_problem"] = problem_show(problem)
            status = problem.status
        else:
            if len(hits) == 1:
                return redirect(_dossier_url(hits[0]))
            context["hits"] = _rows(hits)
            context["searched"] = True

    filter_status = request.GET.get("status", "")
    filter_office = request.GET.get("office", "")
    try:
        queue = selectors.dossier_browse(officer=request.user, status=filter_status or None,
                                         office_code=filter_office or None, client_ip=client_address(request))
    except Problem as problem:
        if problem.status == 403:
            raise  # no role at all: the whole page is refused
        context["browse_problem"] = problem_show(problem)
        queue = None
    if queue is not None:
        page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
        context["page"] = page
        context["queue"] = _rows(page.object_list)
    context.update(
        statuses=Status.choices, offices=_browse_offices(request), filter_status=filter_status,
        filter_office=filter_office,
        # A director browses the queue but opens no dossier: the rows link only for those who may.
        can_open=bool(selectors.officer_roles(request.user) & selectors.ACTION_ROLES["view"]),
    )
    return render(request, "counter/home.html", context, status=status)


# --- the dossier page ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    name: str  # the path of the registration `data`, e.g. "address.street"
    label: str
    value: str
    input_type: str = "text"
    choices: tuple[tuple[str, str], ...] = ()
    error: str = ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _correctable(dossier: Dossier) -> list[tuple[str, str, str, tuple[tuple[str, str], ...]]]:
    """(path in the registration data, model attribute, input type, choices) of what the officer may correct."""
    sexes = tuple((str(v), str(label)) for v, label in Sex.choices)
    fields = [
        ("full_name", "full_name", "text", ()),
        ("date_of_birth", "date_of_birth", "date", ()),
        ("sex", "sex", "select", sexes),
        ("personal_id", "personal_id", "digits", ()),
        ("bhxh_code", "bhxh_code", "digits", ()),
    ]
    if dossier.category == Category.WITH_ID_CARD:
        fields += [
            ("id_document.number", "id_number", "text", ()),
            ("id_document.issued_on", "id_issued_on", "date", ()),
            ("id_document.issued_by", "id_issued_by", "text", ()),
        ]
    else:
        relationships = tuple((str(v), str(label)) for v, label in Relationship.choices)
        fields += [
            ("birth_certificate.number", "birth_certificate_number", "text", ()),
            ("birth_certificate.issued_on", "birth_certificate_issued_on", "date", ()),
            ("birth_certificate.issued_by", "birth_certificate_issued_by", "text", ()),
            ("guardian.full_name", "guardian_full_name", "text", ()),
            ("guardian.relationship", "guardian_relationship", "select", relationships),
            ("guardian.personal_id", "guardian_personal_id", "digits", ()),
            ("guardian.phone", "guardian_phone", "tel", ()),
        ]
    fields += [
        ("phone", "phone", "tel", ()),
        ("email", "email", "email", ()),
        ("address.street", "street", "text", ()),
    ]
    return fields


def _correction_fields(dossier: Dossier, submitted: dict[str, str] | None = None,
                       errors: dict[str, str] | None = None) -> list[Field]:
    submitted, errors = submitted or {}, errors or {}
    return [Field(name=name, label=str(FIELD_LABELS[name]),
                  value=submitted.get(name, _text(getattr(dossier, attribute))), input_type=input_type,
                  choices=choices, error=errors.get(name, ""))
            for name, attribute, input_type, choices in _correctable(dossier)]


def _changes(dossier: Dossier, post: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """What the officer changed, as the nested `data` the services take, and every submitted value."""
    changes: dict[str, Any] = {}
    submitted: dict[str, str] = {}
    for name, attribute, _type, _choices in _correctable(dossier):
        if name not in post:
            continue
        value = post.get(name, "").strip()
        submitted[name] = value
        if value == _text(getattr(dossier, attribute)):
            continue
        head, _dot, tail = name.partition(".")
        if tail:
            changes.setdefault(head, {})[tail] = value
        else:
            changes[name] = value
    return changes, submitted


@dataclass(frozen=True)
class Component:
    kind: str
    label: str
    document: Any
    missing: bool
    capture: str
    source: str


def _components(dossier: Dossier, missing: list[str]) -> list[Component]:
    current = {d.kind: d for d in dossier.documents.all() if d.replaced_at is None}
    kinds = [kind for kind in DocumentKind.values if kind in current or kind in missing]
    result = []
    for kind in kinds:
        document = current.get(kind)
        source = ""
        if document is not None:
            if document.source == DocumentSource.COUNTER:
                who = document.supplied_by.username if document.supplied_by else ""
                where = document.supplied_at_office.code if document.supplied_at_office else ""
                source = _("Officer %(who)s, office %(office)s") % {"who": who, "office": where}
            else:
                source = str(DocumentSource.ONLINE.label)
        result.append(Component(kind=kind, label=_kind_label(kind), document=document, missing=kind in missing,
                                capture="user" if kind in SELFIE_KINDS else "environment", source=source))
    return result


def _history(request: OfficerRequest, dossier: Dossier) -> list[dict[str, Any]]:
    events = services.dossier_history(officer=request.user, dossier=dossier, client_ip=client_address(request))
    rows = []
    for event in reversed(list(events)):  # newest first on the page
        detail = event.detail or {}
        what = []
        if detail.get("kind"):
            what.append(_kind_label(str(detail["kind"])))
        if detail.get("fields"):
            what.append(", ".join(str(FIELD_LABELS.get(f, f)) for f in detail["fields"]))
        if detail.get("reason") and event.action == "dossier.correct":
            what.append(str(detail["reason"]))
        if detail.get("reason_code"):
            what.append(str(services.REJECT_REASONS.get(detail["reason_code"], detail["reason_code"])))
        rows.append({"at": event.at, "who": event.actor_username, "office": event.office,
                     "action": AUDIT_ACTIONS.get(event.action, event.action), "what": "; ".join(what)})
    return rows


def _transitions(dossier: Dossier) -> list[dict[str, Any]]:
    rows = []
    for t in dossier.transitions.select_related("actor", "office").order_by("-at", "-id"):
        reason = str(services.REJECT_REASONS.get(t.reason, t.reason)) if t.reason else ""
        rows.append({"at": t.at, "action": TRANSITION_ACTIONS.get(t.action, t.action),
                     "to": Status(t.to_status).label, "who": t.actor.username if t.actor else "",
                     "office": t.office, "reason": reason, "note": t.note})
    return rows


def _dossier_page(request: OfficerRequest, dossier_no: str, *, problem: Problem | None = None,
                  submitted: dict[str, str] | None = None) -> HttpResponse:
    """Renders the dossier afresh (after a refused action too: the services rolled back, and the officer must
    see the data as it is now). Every rendering is a look at personal data, so it is audited."""
    dossier = _reach(request, dossier_no, "view")
    services.dossier_view(officer=request.user, dossier=dossier, client_ip=client_address(request))
    # Only the actions this officer may take are offered; the services still decide when one is posted.
    possible = set(selectors.dossier_allowed_actions(officer=request.user, dossier=dossier))
    roles = selectors.officer_roles(request.user)
    missing = missing_documents(dossier)
    shown = problem_show(problem) if problem is not None else None
    can = {action: action in possible for action in ("verify", "approve", "reject", "reopen")}
    can["edit"] = bool(roles & selectors.ACTION_ROLES["edit"]) and state_allows(action=EDIT, status=dossier.status)
    can["print"] = state_allows(action=PRINT_DECLARATION, status=dossier.status)
    can["guide"] = state_allows(action=PRINT_GUIDE, status=dossier.status)
    can["decide"] = can["verify"] or can["approve"] or can["reject"] or can["reopen"]
    components = _components(dossier, missing)
    context = {
        "dossier": dossier,
        "number": dossier_number_format(dossier.number or ""),
        "status_label": Status(dossier.status).label,
        "category_label": Category(dossier.category).label,
        "sex_label": Sex(dossier.sex).label if dossier.sex in Sex.values else dossier.sex,
        "id_type_label": IdDocumentType(dossier.id_type).label if dossier.id_type in IdDocumentType.values else "",
        "relationship_label": (Relationship(dossier.guardian_relationship).label
                               if dossier.guardian_relationship in Relationship.values else ""),
        "is_minor": dossier.category == Category.MINOR_WITHOUT_ID_CARD,
        "age_days": selectors.dossier_age_days(dossier),
        "missing": [_kind_label(kind) for kind in missing],
        "photos": [c for c in components if c.kind != DocumentKind.SIGNED_DECLARATION],
        "signed": next((c for c in components if c.kind == DocumentKind.SIGNED_DECLARATION), None),
        "can": can,
        "reject_reasons": [(code, str(label)) for code, label in services.REJECT_REASONS.items()],
        "correction": _correction_fields(dossier, submitted, shown.fields if shown else None),
        "correction_open": submitted is not None,
        "problem": shown,
        "history": _history(request, dossier),
        "transitions": _transitions(dossier),
        "account": dossier.account if dossier.status == Status.APPROVED else None,
    }
    return render(request, "counter/dossier.html", context, status=problem.status if problem else 200)


@counter_view
@never_cache
@require_GET
def dossier(request: OfficerRequest, dossier_no: str) -> HttpResponse:
    return _dossier_page(request, dossier_no)


@counter_view
@require_GET
def document(request: OfficerRequest, dossier_no: str, kind: str) -> HttpResponse:
    """One photo, streamed from private storage (never a public path), audited by the service."""
    found = _reach(request, dossier_no, "view")
    content, content_type = services.document_read(officer=request.user, dossier=found, kind=kind,
                                                   client_ip=client_address(request))
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="{kind}.jpg"'
    return response


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@counter_view
@require_GET
def declaration(request: OfficerRequest, dossier_no: str) -> HttpResponse:
    found = _reach(request, dossier_no, "print")
    content = services.declaration_render(officer=request.user, dossier=found, client_ip=client_address(request))
    return _pdf(content, f"to-khai-{found.number}.pdf")


@counter_view
@require_GET
def guide(request: OfficerRequest, dossier_no: str) -> HttpResponse:
    found = _reach(request, dossier_no, "print")
    content = services.guide_render(officer=request.user, dossier=found, client_ip=client_address(request))
    return _pdf(content, f"huong-dan-vssid-{found.number}.pdf")


# --- actions ------------------------------------------------------------------------------------------------

def _done(request: OfficerRequest, dossier_no: str, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("counter:dossier", kwargs={"dossier_no": dossier_no}))


@counter_view
@require_POST
def supplement(request: OfficerRequest, dossier_no: str, kind: str) -> HttpResponse:
    """Supplements or replaces one component: a file input, or a still from the camera script (fetch)."""
    found = _reach(request, dossier_no, "edit")
    upload = request.FILES.get("file")
    problem: Problem | None = None
    if upload is None:
        problem = invalid([FieldError("file", "required", _("Choose a photo or take one with the camera first."))])
    else:
        try:
            services.document_supplement(officer=request.user, dossier=found, kind=kind, upload=upload,
                                         expected_version=_expected_version(request), client_ip=client_address(request))
        except Problem as refused:
            problem = refused
    if _wants_json(request):
        if problem is not None:
            shown = problem_show(problem)
            return JsonResponse({"title": shown.title, "errors": shown.lines}, status=problem.status)
        messages.success(request, _("Saved: %(kind)s.") % {"kind": _kind_label(kind)})
        return JsonResponse({"redirect": _dossier_url(found)})
    if problem is not None:
        return _dossier_page(request, dossier_no, problem=problem)
    return _done(request, dossier_no, _("Saved: %(kind)s.") % {"kind": _kind_label(kind)})


@counter_view
@require_POST
def correct(request: OfficerRequest, dossier_no: str) -> HttpResponse:
    found = _reach(request, dossier_no, "edit")
    changes, submitted = _changes(found, request.POST)
    try:
        services.dossier_correct(officer=request.user, dossier=found, changes=changes,
                                 reason=request.POST.get("reason", ""),
                                 expected_version=_expected_version(request), client_ip=client_address(request))
    except Problem as problem:
        # A stale page shows the latest data; any other refusal keeps what the officer typed.
        keep = None if problem.status == 412 else submitted
        return _dossier_page(request, dossier_no, problem=problem, submitted=keep)
    return _done(request, dossier_no, _("The corrections are saved."))


@counter_view
@require_POST
def verify(request: OfficerRequest, dossier_no: str) -> HttpResponse:
    found = _reach(request, dossier_no, "verify")
    try:
        services.dossier_verify(officer=request.user, dossier=found, client_ip=client_address(request),
                                expected_version=_expected_version(request))
    except Problem as problem:
        return _dossier_page(request, dossier_no, problem=problem)
    return _done(request, dossier_no, _("The dossier is verified. An approving officer can now approve it."))


@counter_view
@require_POST
def approve(request: OfficerRequest, dossier_no: str) -> HttpResponse:
    found = _reach(request, dossier_no, "approve")
    try:
        services.dossier_approve(officer=request.user, dossier=found, client_ip=client_address(request),
                                expected_version=_expected_version(request))
    except Problem as problem:
        return _dossier_page(request, dossier_no, problem=problem)
    # The username is an ID number: the page shows it, the flash message (kept in a cookie) does not.
    return _done(request, dossier_no, _("Approved: the account is active and the initial password went to the "
                                        "registered phone by SMS."))


@counter_view
@require_POST
def reject(request: OfficerRequest, dossier_no: str) -> HttpResponse:
    found = _reach(request, dossier_no, "reject")
    try:
        services.dossier_reject(officer=request.user, dossier=found, reason_code=request.POST.get("reason_code", ""),
                                note=request.POST.get("note", "").strip(), client_ip=client_address(request),
                                expected_version=_expected_version(request))
    except Problem as problem:
        return _dossier_page(request, dossier_no, problem=problem)
    return _done(request, dossier_no, _("The dossier is rejected; the person is told by SMS."))


@counter_view
@require_POST
def reopen(request: OfficerRequest, dossier_no: str) -> HttpResponse:
    found = _reach(request, dossier_no, "reopen")
    try:
        services.dossier_reopen(officer=request.user, dossier=found, note=request.POST.get("note", "").strip(),
                                client_ip=client_address(request), expected_version=_expected_version(request))
    except Problem as problem:
        return _dossier_page(request, dossier_no, problem=problem)
    return _done(request, dossier_no, _("The dossier is open again, with a new deadline."))
