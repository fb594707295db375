"""The dossier page (its data beside its photos, what is missing, what the officer may do, its history), one
photo, and the two prints. Every rendering is a look at personal data, audited by the services."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from gddt.archives.selectors import archive_reachable
from gddt.consents.selectors import consent_record, consent_record_labels
from gddt.core.clients import client_address
from gddt.core.errors import Problem
from gddt.counter import selectors, services
from gddt.counter.labels import AUDIT_ACTIONS, TRANSITION_ACTIONS, field_label, kind_label
from gddt.counter.views.common import OfficerRequest, counter_view, private_file, reach
from gddt.counter.views.correction import correction_fields
from gddt.counter.views.panel import Panel, panel_build
from gddt.counter.views.problems import problem_show
from gddt.registrations.forms import nationality_name
from gddt.registrations.models import (
    Category,
    Document,
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

# Which camera a phone or tablet should open for a component (the `capture` attribute).
SELFIE_KINDS = {DocumentKind.PORTRAIT}
# The audit log shows its newest events; the older ones open on demand.
RECENT_EVENTS = 5
# The prints are shown inside the dossier page (an iframe whose document the browser prints): the page may frame
# them, nothing else may.
PRINT_POLICY = "default-src 'none'; frame-ancestors 'self'"


@dataclass(frozen=True)
class Component:
    kind: str
    label: str
    document: Document | None
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
        result.append(
            Component(
                kind=kind,
                label=kind_label(kind),
                document=document,
                missing=kind in missing,
                capture="user" if kind in SELFIE_KINDS else "environment",
                source=source,
            )
        )
    return result


def _history(events: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for event in reversed(events):  # newest first on the page
        detail = event.detail or {}
        what = []
        if detail.get("kind"):
            what.append(kind_label(str(detail["kind"])))
        if detail.get("fields"):
            what.append(", ".join(field_label(f) or f for f in detail["fields"]))
        if detail.get("reason") and event.action == "dossier.correct":
            what.append(str(detail["reason"]))
        if detail.get("reason_code"):
            what.append(str(services.REJECT_REASONS.get(detail["reason_code"], detail["reason_code"])))
        rows.append(
            {
                "at": event.at,
                "who": event.actor_username,
                "office": event.office,
                "action": AUDIT_ACTIONS.get(event.action, event.action),
                "what": "; ".join(what),
            }
        )
    return rows


def _transitions(dossier: Dossier) -> list[dict[str, Any]]:
    rows = []
    for t in dossier.transitions.select_related("actor", "office").order_by("-at", "-id"):
        reason = str(services.REJECT_REASONS.get(t.reason, t.reason)) if t.reason else ""
        rows.append(
            {
                "at": t.at,
                "action": TRANSITION_ACTIONS.get(t.action, t.action),
                "to": Status(t.to_status).label,
                "who": t.actor.username if t.actor else "",
                "office": t.office,
                "reason": reason,
                "note": t.note,
            }
        )
    return rows


def dossier_page(
    request: OfficerRequest, dossier_no: str, *, problem: Problem | None = None, submitted: dict[str, str] | None = None
) -> HttpResponse:
    """Renders the dossier afresh (after a refused action too: the services rolled back, and the officer must
    see the data as it is now). Every rendering is a look at personal data, so it is audited."""
    dossier = reach(request, dossier_no, "view")
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
    can["account"] = bool(roles & selectors.ACTION_ROLES["account"]) and dossier.account_id is not None
    if dossier.purged_at is not None:  # retention deleted what these need (the services refuse them with 410)
        can.update(print=False, guide=False, reopen=False)
    can["archive"] = archive_reachable(officer=request.user, dossier=dossier)  # approved, in the officer's subtree
    can["decide"] = can["verify"] or can["approve"] or can["reject"] or can["reopen"]
    components = _components(dossier, missing)
    events = list(services.dossier_history(officer=request.user, dossier=dossier, client_ip=client_address(request)))
    history = _history(events)
    photos = [c for c in components if c.kind != DocumentKind.SIGNED_DECLARATION]
    signed = next((c for c in components if c.kind == DocumentKind.SIGNED_DECLARATION), None)
    duties = (
        dossier.status == Status.VERIFIED
        and "approve" not in possible
        and bool(roles & selectors.ACTION_ROLES["approve"])
        and selectors.approval_forbidden_to(officer=request.user, dossier=dossier)
    )
    panel = panel_build(
        status=dossier.status,
        can=can,
        missing_photos=sum(1 for c in photos if c.missing),
        signed_missing=DocumentKind.SIGNED_DECLARATION in missing,
        printed=any(e.action == "declaration.print" for e in events),
        approval_blocked_by_duties=duties,
    )
    if dossier.purged_at is not None:
        panel = Panel(steps=[], next="", headline=_("The retention period has ended: there is nothing more to do."))
    context = {
        "dossier": dossier,
        "number": dossier_number_format(dossier.number or ""),
        "status_label": Status(dossier.status).label,
        "category_label": Category(dossier.category).label,
        "sex_label": Sex(dossier.sex).label if dossier.sex in Sex.values else dossier.sex,
        "nationality_label": nationality_name(dossier.nationality),
        "id_type_label": IdDocumentType(dossier.id_type).label if dossier.id_type in IdDocumentType.values else "",
        "relationship_label": (
            Relationship(dossier.guardian_relationship).label
            if dossier.guardian_relationship in Relationship.values
            else ""
        ),
        "is_minor": dossier.category == Category.MINOR_WITHOUT_ID_CARD,
        "age_days": selectors.dossier_age_days(dossier),
        "missing": [kind_label(kind) for kind in missing],
        "photos": photos,
        "missing_photos": [c for c in photos if c.missing],
        "signed": signed,
        "can": can,
        "panel": panel,
        "reject_reasons": [(code, str(label)) for code, label in services.REJECT_REASONS.items()],
        "correction": correction_fields(dossier, submitted, shown.fields if shown else None),
        "correction_open": submitted is not None,
        "problem": shown,
        "history_recent": history[:RECENT_EVENTS],
        "history_earlier": history[RECENT_EVENTS:],
        "history_count": len(history),
        "transitions": _transitions(dossier),
        "account": dossier.account if dossier.status == Status.APPROVED else None,
        "consent": consent_record_labels(consent_record(dossier)),
    }
    return render(request, "counter/dossier.html", context, status=problem.status if problem else 200)


@counter_view
@never_cache
@require_GET
def dossier(request: OfficerRequest, dossier_no: str) -> HttpResponse:
    return dossier_page(request, dossier_no)


@counter_view
@require_GET
def document(request: OfficerRequest, dossier_no: str, kind: str) -> HttpResponse:
    """One photo, streamed from private storage (never a public path), audited by the service."""
    found = reach(request, dossier_no, "view")
    content, content_type = services.document_read(
        officer=request.user, dossier=found, kind=kind, client_ip=client_address(request)
    )
    return private_file(content, content_type, f"{kind}.jpg")


def _print(content: bytes, filename: str) -> HttpResponse:
    response = private_file(content, "application/pdf", filename)
    response["Content-Security-Policy"] = PRINT_POLICY
    return response


@counter_view
@xframe_options_sameorigin
@require_GET
def declaration(request: OfficerRequest, dossier_no: str) -> HttpResponse:
    found = reach(request, dossier_no, "print")
    content = services.declaration_render(officer=request.user, dossier=found, client_ip=client_address(request))
    return _print(content, f"to-khai-{found.number}.pdf")


@counter_view
@xframe_options_sameorigin
@require_GET
def guide(request: OfficerRequest, dossier_no: str) -> HttpResponse:
    found = reach(request, dossier_no, "print")
    content = services.guide_render(officer=request.user, dossier=found, client_ip=client_address(request))
    return _print(content, f"huong-dan-vssid-{found.number}.pdf")
