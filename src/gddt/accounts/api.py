"""Accounts on the API: the director's staff and roles (officers), and the citizen's sign-in and account."""

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from gddt.accounts import selectors, services
from gddt.accounts.auth import citizen_auth, officer_auth
from gddt.accounts.models import User
from gddt.core.clients import client_address
from gddt.core.schemas import RequestSchema
from gddt.counter.services import counter_action_once, dossier_for_officer
from gddt.registrations.models import Dossier

router = Router(tags=["accounts"])

_RESET_SENT = _(
    "If the username and the phone number match an account, a 6-digit code has been sent to that phone "
    "by SMS. It is valid for 10 minutes."
)


class FieldErrorOut(Schema):
    field: str
    code: str
    message: str


class ProblemOut(Schema):
    """application/problem+json (RFC 9457)."""

    type: str
    title: str
    status: int
    code: str
    errors: list[FieldErrorOut]


# --- staff and roles (directors) ------------------------------------------------------------------------------


class RoleOut(Schema):
    office_code: str
    role: str
    starts_on: date | None
    ends_on: date | None


class StaffOut(Schema):
    username: str
    full_name: str
    office_code: str | None
    office_name: str | None
    is_active: bool
    roles: list[RoleOut]


class RolesIn(RequestSchema):
    office_code: str
    roles: list[str]
    starts_on: date | None = None
    ends_on: date | None = None


def _staff_out(member: selectors.StaffMember) -> StaffOut:
    user = member.user
    return StaffOut(
        username=user.username,
        full_name=user.get_full_name(),
        office_code=user.office.code if user.office else None,
        office_name=user.office.name if user.office else None,
        is_active=user.is_active,
        roles=[
            RoleOut(office_code=row.office.code, role=role, starts_on=row.starts_on, ends_on=row.ends_on)
            for row in member.offices
            for role in row.roles
        ],
    )


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.get(
    "/office/staff",
    auth=officer_auth,
    response={200: list[StaffOut], 403: ProblemOut},
    summary="The officers of the director's offices with their current and future roles",
)
def staff(request: HttpRequest) -> list[StaffOut]:
    return [_staff_out(member) for member in selectors.staff_list(director=_actor(request))]


@router.put(
    "/office/staff/{username}/roles",
    auth=officer_auth,
    response={200: StaffOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    summary="Replace the roles of an officer at one office (directors and administrators)",
)
def staff_roles(request: HttpRequest, username: str, payload: RolesIn) -> StaffOut:
    director = _actor(request)
    services.officer_roles_set(
        director=director,
        username=username,
        office_code=payload.office_code,
        roles=payload.roles,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        client_ip=client_address(request),
    )
    return _staff_out(selectors.staff_member(director=director, username=username))


# --- citizens ---------------------------------------------------------------------------------------------------


class LoginIn(RequestSchema):
    username: str
    password: str


class LoginOut(Schema):
    access_token: str
    must_change_password: bool


class PasswordIn(RequestSchema):
    old_password: str
    new_password: str


class PasswordOut(Schema):
    must_change_password: bool


class DossierBrief(Schema):
    dossier_no: str | None
    status: str


class MeOut(Schema):
    username: str
    full_name: str
    phone: str  # masked: only its last digits
    must_change_password: bool
    dossier: DossierBrief | None


@router.post(
    "/auth/login",
    auth=None,
    response={200: LoginOut, 401: ProblemOut, 422: ProblemOut, 429: ProblemOut},
    summary="Citizen sign-in with the personal ID or the insurance number",
)
def login(request: HttpRequest, payload: LoginIn) -> LoginOut:
    result = services.citizen_login(request=request, username=payload.username, password=payload.password)
    return LoginOut(access_token=result.access_token, must_change_password=result.must_change_password)


def _bearer(request: HttpRequest) -> str:
    return request.headers.get("Authorization", "").partition(" ")[2].strip()


@router.post(
    "/auth/password",
    auth=citizen_auth,
    response={200: PasswordOut, 401: ProblemOut, 422: ProblemOut},
    summary="Citizen: change the password (required after the first sign-in)",
)
def password_change(request: HttpRequest, payload: PasswordIn) -> PasswordOut:
    user = services.citizen_password_change(
        user=_actor(request),
        old_password=payload.old_password,
        new_password=payload.new_password,
        token=_bearer(request),
        client_ip=client_address(request),
    )
    return PasswordOut(must_change_password=user.must_change_password)


class SignedOutOut(Schema):
    signed_out: bool


@router.post(
    "/auth/logout",
    auth=citizen_auth,
    response={200: SignedOutOut, 401: ProblemOut},
    summary="Citizen: sign out (this token stops working at once)",
)
def logout(request: HttpRequest) -> SignedOutOut:
    services.citizen_logout(user=_actor(request), token=_bearer(request), client_ip=client_address(request))
    return SignedOutOut(signed_out=True)


@router.post(
    "/auth/logout-all",
    auth=citizen_auth,
    response={200: SignedOutOut, 401: ProblemOut},
    summary="Citizen: sign out everywhere (every token, app and web session of the account)",
)
def logout_all(request: HttpRequest) -> SignedOutOut:
    services.citizen_logout_everywhere(user=_actor(request), client_ip=client_address(request))
    return SignedOutOut(signed_out=True)


class ResetIn(RequestSchema):
    username: str
    phone: str


class ResetOut(Schema):
    detail: str


class ResetConfirmIn(RequestSchema):
    username: str
    code: str
    new_password: str


@router.post(
    "/auth/password-reset",
    auth=None,
    response={202: ResetOut, 422: ProblemOut, 429: ProblemOut},
    summary="Citizen: forgot the password; a 6-digit code goes by SMS to the phone on record",
    description="Always 202 with the same body, whether or not the account exists or the phone matches. "
    "The code is valid 10 minutes, for 5 tries; at most 3 codes an hour per account.",
)
def password_reset(request: HttpRequest, payload: ResetIn) -> Status:
    services.password_reset_request(username=payload.username, phone=payload.phone, client_ip=client_address(request))
    return Status(202, ResetOut(detail=str(_RESET_SENT)))


@router.post(
    "/auth/password-reset/confirm",
    auth=None,
    response={200: PasswordOut, 422: ProblemOut, 429: ProblemOut},
    summary="Citizen: set a new password with the code from the SMS (every sign-in of the account ends)",
)
def password_reset_confirm(request: HttpRequest, payload: ResetConfirmIn) -> PasswordOut:
    user = services.password_reset_confirm(
        username=payload.username,
        code=payload.code,
        new_password=payload.new_password,
        client_ip=client_address(request),
    )
    return PasswordOut(must_change_password=user.must_change_password)


# --- the counter: re-issue and unlock a citizen's account ------------------------------------------------------


class ReissueOut(Schema):
    username: str
    initial_password_expires_at: datetime
    unlocked: bool


class UnlockOut(Schema):
    was_locked: bool


_IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string"},
    "description": "A retry with the same key gets the first answer (and no second SMS).",
}


def _account_action(
    request: HttpRequest, action: str, dossier_no: str, run: Callable[[Dossier], dict[str, Any]]
) -> HttpResponse:
    officer = _actor(request)
    dossier = dossier_for_officer(officer=officer, dossier_no=dossier_no, action="account")
    answer = counter_action_once(
        officer=officer,
        action=action,
        idempotency_key=request.headers.get("Idempotency-Key"),
        request_parts=[action, dossier.number or ""],
        run=lambda: (200, run(dossier)),
    )
    response = HttpResponse(
        json.dumps(answer.body, cls=DjangoJSONEncoder), status=answer.status, content_type="application/json"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/office/dossiers/{dossier_no}/account/reissue",
    auth=officer_auth,
    response={200: ReissueOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut},
    openapi_extra={"parameters": [_IDEMPOTENCY_KEY]},
    summary="Counter: a new initial password by SMS for the dossier's account (receiving or approving officer)",
    description="Every token and session of the account ends and it is unlocked; the new password must be "
    "changed at the next sign-in and expires after GDDT_INITIAL_PASSWORD_HOURS. 409 "
    "`no_account` when the dossier has no active account. Audited on the dossier.",
)
def account_reissue(request: HttpRequest, dossier_no: str) -> HttpResponse:
    def run(dossier: Dossier) -> dict[str, Any]:
        done = services.citizen_credentials_reissue(
            officer=_actor(request), dossier=dossier, client_ip=client_address(request)
        )
        return ReissueOut(
            username=done.username, initial_password_expires_at=done.expires_at, unlocked=done.unlocked
        ).model_dump(mode="json")

    return _account_action(request, "account.reissue", dossier_no, run)


@router.post(
    "/office/dossiers/{dossier_no}/account/unlock",
    auth=officer_auth,
    response={200: UnlockOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut},
    openapi_extra={"parameters": [_IDEMPOTENCY_KEY]},
    summary="Counter: unlock the dossier's account after too many failed sign-ins",
    description="Forgets the failed sign-ins (from every address); the person can sign in at once. "
    "Audited on the dossier.",
)
def account_unlock(request: HttpRequest, dossier_no: str) -> HttpResponse:
    def run(dossier: Dossier) -> dict[str, Any]:
        was_locked = services.citizen_account_unlock(
            officer=_actor(request), dossier=dossier, client_ip=client_address(request)
        )
        return UnlockOut(was_locked=was_locked).model_dump(mode="json")

    return _account_action(request, "account.unlock", dossier_no, run)


@router.get(
    "/me", auth=citizen_auth, response={200: MeOut, 401: ProblemOut}, summary="Citizen: the account and its dossier"
)
def me(request: HttpRequest) -> MeOut:
    profile = selectors.citizen_profile(user=_actor(request))
    dossier = (
        DossierBrief(dossier_no=profile.dossier_no, status=profile.dossier_status) if profile.dossier_status else None
    )
    return MeOut(
        username=profile.username,
        full_name=profile.full_name,
        phone=profile.phone_masked,
        must_change_password=profile.must_change_password,
        dossier=dossier,
    )
