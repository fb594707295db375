"""The citizen's pages: the landing page, the registration form, its receipt and the status look-up. They
parse the request, call the same use cases as the JSON API, and render; nothing is decided here."""

import secrets
from datetime import datetime
from itertools import groupby

import segno
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gddt.adminunits.selectors import province_list, ward_list
from gddt.consents.models import ConsentChannel
from gddt.consents.reference import consent_text_current
from gddt.consents.selectors import CHILD_CONSENT_AGE, consent_wording
from gddt.core.clients import client_address
from gddt.core.errors import Problem
from gddt.core.text import strip_diacritics
from gddt.offices.models import OfficeLevel
from gddt.offices.selectors import office_get, office_list
from gddt.registrations import forms, staging
from gddt.registrations.images import CleanImage, image_clean
from gddt.registrations.intake import ONLINE_KINDS, component_table
from gddt.registrations.models import Category, DocumentKind, IdDocumentType, Relationship, Sex, Status
from gddt.registrations.numbers import dossier_number_format, dossier_qr_payload
from gddt.registrations.selectors import missing_documents, registration_status
from gddt.registrations.services import registration_status_throttle, registration_submit
from gddt.registrations.states import state_rules
from gddt.registrations.validators import Invalid

RECEIPT_SESSION_KEY = "registration_receipt"
WEB_SCOPE = "web"


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "registrations/home.html", {"ttl_days": settings.GDDT_DOSSIER_TTL_DAYS})


def _province_sort_key(name: str) -> str:
    # "Thành phố Hà Nội" sorts under H, as people look for it.
    return strip_diacritics(name.removeprefix("Thành phố ")).casefold()


def _office_groups(province_code: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The offices where a citizen completes (not the central agency), one group per province, the chosen
    province's first."""
    names = {p.code: p.name for p in province_list()}
    offices = [o for o in office_list() if o.level != OfficeLevel.CENTRAL and o.province_id]
    offices.sort(
        key=lambda o: (
            o.province_id != province_code,
            _province_sort_key(names.get(o.province_id or "", "")),
            o.level != OfficeLevel.PROVINCIAL,
            o.path,
        )
    )
    # "BHXH", as everyone writes it, keeps the distinguishing part of a name visible on a narrow phone.
    return [
        (code, names.get(code, code), [(o.code, o.name.replace("Bảo hiểm xã hội", "BHXH", 1)) for o in group])
        for code, group in groupby(offices, key=lambda o: o.province_id or "")
    ]


def _form_render(
    request: HttpRequest,
    *,
    token: str,
    values: QueryDict | dict[str, str] | None = None,
    problem: Problem | None = None,
    status: int = 200,
    staged: dict[str, staging.StagedPhoto] | None = None,
    lost: set[str] | None = None,
) -> HttpResponse:
    state = forms.form_state(values=values, problem=problem)
    province_code = state.fields["address__province_code"].value
    provinces = sorted(province_list(), key=lambda p: _province_sort_key(p.name))
    known_province = any(p.code == province_code for p in provinces)
    context = {
        "token": token,
        "f": state.fields,
        "summary": state.summary,
        "general": state.general,
        "problem": problem,
        # Photos kept for this form (shown as received), and photos sent but not kept (their inputs say so).
        "staged": staged or {},
        "photos_lost": lost or set(),
        "name_without_diacritics": forms.name_lacks_diacritics(
            state.fields["full_name"].value, nationality=state.fields["nationality"].value
        ),
        "personal_id_optional": forms.personal_id_optional(
            category=state.fields["category"].value, id_type=state.fields["id_document__type"].value
        ),
        "category": state.fields["category"].value or Category.WITH_ID_CARD,
        "categories": Category.choices,
        "sexes": Sex.choices,
        "id_types": IdDocumentType.choices,
        "relationships": Relationship.choices,
        "nationalities": forms.nationality_choices(),
        "provinces": [(p.code, p.name) for p in provinces],
        "wards": [(w.code, w.name) for w in ward_list(province_code=province_code)] if known_province else [],
        "office_groups": _office_groups(province_code),
        "today": timezone.localdate().isoformat(),  # the date pickers' upper bound
        "consent": consent_wording(text=current) if (current := consent_text_current()) else None,
        "child_consent_age": CHILD_CONSENT_AGE,
    }
    return render(request, "registrations/register.html", context, status=status)


def _new_token() -> str:
    return secrets.token_urlsafe(24)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def registration_form(request: HttpRequest) -> HttpResponse:
    if request.method in ("GET", "HEAD"):
        initial = {"category": request.GET.get("category", ""), "nationality": "VN"}
        if initial["category"] not in Category.values:
            initial["category"] = Category.WITH_ID_CARD
        return _form_render(request, token=_new_token(), values=initial)

    token = request.POST.get("form_token") or _new_token()
    category = request.POST.get("category")
    sent = forms.registration_files(request.FILES, category=category)
    if "refresh_wards" in request.POST:  # without JavaScript: show the communes of the chosen province
        staged, lost = _photos_keep(request, token=token, category=category, candidates=sent, refused=set())
        return _form_render(request, token=token, values=request.POST, staged=staged, lost=lost)
    data = forms.registration_data(request.POST)
    # The photos kept from the last time this form came back, unless the person chose another one.
    online = ONLINE_KINDS.get(Category(data["category"])) if data.get("category") in Category.values else None
    kept = {
        kind: upload
        for kind, upload in staging.staged_uploads(request.session, token=token).items()
        if kind in (online or ())
    }
    files = {**kept, **sent}
    try:
        submission = registration_submit(
            data=data,
            files=files,
            idempotency_key=token,
            scope=WEB_SCOPE,
            client_ip=client_address(request),
            channel=ConsentChannel.WEB,
        )
    except Problem as problem:
        if problem.code == "idempotency_key_reused":
            # This very form was already sent, then changed: its first answer stands; a new token lets the
            # person send the changed form as a new registration, which the one-open-dossier rule then judges.
            problem = Problem(
                409,
                _(
                    "This form was already sent. Your dossier number is in the SMS we sent; "
                    "you can check its status on the status page."
                ),
                "form_already_sent",
            )
            token = _new_token()
        refused = {error.field for error in problem.errors}
        if problem.status == 422:
            # The accepted photos wait an hour for the corrected form; a refused one is named beside its input.
            staged, lost = _photos_keep(
                request, token=token, category=data.get("category"), candidates=sent, refused=refused
            )
        else:
            staged, lost = staging.staged_photos(request.session, token=token), set(sent) - refused
        response = _form_render(
            request, token=token, values=request.POST, problem=problem, status=problem.status, staged=staged, lost=lost
        )
        if "retry_after" in problem.extra:
            response["Retry-After"] = str(problem.extra["retry_after"])
        return response
    staging.staged_photos_drop(request.session)
    receipt = submission.receipt
    office = office_get(code=receipt["office_code"])
    request.session[RECEIPT_SESSION_KEY] = {
        **receipt,
        "office_name": office.name if office else receipt["office_code"],
    }
    return redirect("registration_done")


def _photos_keep(
    request: HttpRequest, *, token: str, category: str | None, candidates: dict[str, UploadedFile], refused: set[str]
) -> tuple[dict[str, staging.StagedPhoto], set[str]]:
    """Keeps the photos of a form that came back (each cleaned as the registration cleans it) and answers the
    photos kept for this form and the kinds sent but not kept, which the page asks to choose again."""
    components = component_table(category) if category in Category.values else {}
    accepted: dict[str, CleanImage] = {}
    lost: set[str] = set()
    for kind, upload in candidates.items():
        if kind in refused:
            continue  # its error is shown beside it
        if kind not in components:
            lost.add(kind)
            continue
        try:
            accepted[kind] = image_clean(upload, min_short_side=components[kind].min_short_side)
        except Invalid:  # it cannot be kept: the page asks for it again, never dropping it silently
            lost.add(kind)
    staged = staging.staged_photos_keep(request.session, token=token, photos=accepted, drop=refused)
    return staged, lost


@require_GET
def staged_photo(request: HttpRequest, kind: str) -> HttpResponse:
    """The preview of a photo kept for this browser's form: from the session's own record, never a public path."""
    content = staging.staged_preview_read(request.session, kind=kind)
    if content is None:
        raise Http404
    response = HttpResponse(content, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


def _bring_list(category: str) -> list[str]:
    if category == Category.MINOR_WITHOUT_ID_CARD:
        return [
            _("The child's birth certificate (the original)."),
            _("The ID card of the parent or guardian who registered, who comes in person to sign."),
        ]
    return [_("Your ID card (CCCD or CMND), or your passport if you are a foreigner: the original.")]


def _document_labels(kinds: list[str]) -> list[str]:
    """The missing documents a citizen can do something about: the signed declaration is made at the office (the
    pages say so apart), so it is not listed as missing."""
    return [
        str(DocumentKind(kind).label)
        for kind in kinds
        if kind in DocumentKind.values and kind != DocumentKind.SIGNED_DECLARATION
    ]


@never_cache
def registration_done(request: HttpRequest) -> HttpResponse:
    """The receipt of the last registration sent from this browser, kept in the session, never in the URL."""
    receipt = request.session.get(RECEIPT_SESSION_KEY)
    if not receipt:
        return redirect("registration_form")
    number_digits = receipt["dossier_no"].replace("-", "")
    qr = segno.make(dossier_qr_payload(number_digits), error="m")
    return render(
        request,
        "registrations/done.html",
        {
            "receipt": receipt,
            "expires_at": datetime.fromisoformat(receipt["expires_at"]),
            "missing": _document_labels(receipt["missing_documents"]),
            "signed_at_office": DocumentKind.SIGNED_DECLARATION in receipt["missing_documents"],
            "bring": _bring_list(receipt["category"]),
            "is_minor": receipt["category"] == Category.MINOR_WITHOUT_ID_CARD,
            "qr_uri": qr.svg_data_uri(scale=4, border=2, dark="#14233c"),
        },
    )


def _status_explanation(status: str) -> str:
    # Spelled out with literal msgids so that makemessages finds them.
    texts: dict[str, str] = {
        Status.SUBMITTED: _(
            "Your registration is waiting for you: bring the documents below to any VSS office before the deadline."
        ),
        Status.VERIFIED: _("An officer has checked your documents; the registration is waiting for approval."),
        Status.APPROVED: _("Your account is active. The sign-in details were sent to the registered phone by SMS."),
        Status.REJECTED: _("Your registration was refused. Contact a VSS office to know why and what to do."),
        Status.EXPIRED: _(
            "Nobody completed the registration before the deadline. Go to any VSS office with "
            "your documents and the dossier number: an officer can reopen it, or register again."
        ),
    }
    return texts.get(status, "")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def status_lookup(request: HttpRequest) -> HttpResponse:
    """Looked up by POST, so that the identifier never lands in a URL or an access log."""
    context: dict = {"values": {}, "errors": {}}
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in ("dossier_no", "verify")}
        context["values"] = values
        errors = {name: _("This field is required.") for name, value in values.items() if not value}
        context["errors"] = errors
        if not errors:
            try:
                registration_status_throttle(client_ip=client_address(request))
            except Problem as problem:
                context["throttled"] = str(problem.title)
                response = render(request, "registrations/status.html", context, status=problem.status)
                response["Retry-After"] = str(problem.extra["retry_after"])
                return response
            dossier = registration_status(dossier_no=values["dossier_no"], verify=values["verify"])
            if dossier is None:
                context["not_found"] = True
            else:
                rules = state_rules(dossier.status)
                context["result"] = {
                    "dossier_no": dossier_number_format(dossier.number or ""),
                    "status": dossier.status,
                    "status_label": Status(dossier.status).label,
                    "explanation": _status_explanation(dossier.status),
                    "category": dossier.category,
                    "office_name": dossier.office.name,
                    "submitted_at": dossier.submitted_at,
                    "expires_at": dossier.expires_at,
                    "is_open": rules.citizen_deadline,
                    "missing": _document_labels(missing_documents(dossier)) if rules.citizen_missing else [],
                    "signed_at_office": rules.citizen_missing
                    and DocumentKind.SIGNED_DECLARATION in missing_documents(dossier),
                    "bring": _bring_list(dossier.category) if rules.citizen_bring else [],
                }
    return render(request, "registrations/status.html", context)
