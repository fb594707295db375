"""Accounts on the API: the director's staff and roles (officers), and the citizen's sign-in and account."""

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema

from gddt.accounts import selectors, services
from gddt.accounts.auth import citizen_auth, officer_auth
from gddt.accounts.models import User

router = Router(tags=["accounts"])


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


class RolesIn(Schema):
    office_code: str
    roles: list[str]
    starts_on: date | None = None
    ends_on: date | None = None


def _staff_out(member: selectors.StaffMember) -> StaffOut:
    user = member.user
    return StaffOut(
        username=user.username, full_name=user.get_full_name(),
        office_code=user.office.code if user.office else None, office_name=user.office.name if user.office else None,
        is_active=user.is_active,
        roles=[RoleOut(office_code=row.office.code, role=role, starts_on=row.starts_on, ends_on=row.ends_on)
               for row in member.offices for role in row.roles],
    )


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.get("/office/staff", auth=officer_auth, response={200: list[StaffOut], 403: ProblemOut},
            summary="The officers of the director's offices with their current and future roles")
def staff(request: HttpRequest) -> list[StaffOut]:
    return [_staff_out(member) for member in selectors.staff_list(director=_actor(request))]


@router.put("/office/staff/{username}/roles", auth=officer_auth,
            response={200: StaffOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
            summary="Replace the roles of an officer at one office (directors and administrators)")
def staff_roles(request: HttpRequest, username: str, payload: RolesIn) -> StaffOut:
    director = _actor(request)
    services.officer_roles_set(director=director, username=username, office_code=payload.office_code,
                               roles=payload.roles, starts_on=payload.starts_on, ends_on=payload.ends_on,
                               request=request)
    return _staff_out(selectors.staff_member(director=director, username=username))


# --- citizens ---------------------------------------------------------------------------------------------------

class LoginIn(Schema):
    username: str
    password: str


class LoginOut(Schema):
    access_token: str
    must_change_password: bool


class PasswordIn(Schema):
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


@router.post("/auth/login", auth=None, response={200: LoginOut, 401: ProblemOut, 422: ProblemOut, 429: ProblemOut},
             summary="Citizen sign-in with the personal ID or the insurance number")
def login(request: HttpRequest, payload: LoginIn) -> LoginOut:
    result = services.citizen_login(request=request, username=payload.username, password=payload.password)
    return LoginOut(access_token=result.access_token, must_change_password=result.must_change_password)


def _bearer(request: HttpRequest) -> str:
    return request.headers.get("Authorization", "").partition(" ")[2].strip()


@router.post("/auth/password", auth=citizen_auth, response={200: PasswordOut, 401: ProblemOut, 422: ProblemOut},
             summary="Citizen: change the password (required after the first sign-in)")
def password_change(request: HttpRequest, payload: PasswordIn) -> PasswordOut:
    user = services.citizen_password_change(user=_actor(request), old_password=payload.old_password,
                                            new_password=payload.new_password, token=_bearer(request))
    return PasswordOut(must_change_password=user.must_change_password)


@router.get("/me", auth=citizen_auth, response={200: MeOut, 401: ProblemOut},
            summary="Citizen: the account and its dossier")
def me(request: HttpRequest) -> MeOut:
    profile = selectors.citizen_profile(user=_actor(request))
    dossier = (DossierBrief(dossier_no=profile.dossier_no, status=profile.dossier_status)
               if profile.dossier_status else None)
    return MeOut(username=profile.username, full_name=profile.full_name, phone=profile.phone_masked,
                 must_change_password=profile.must_change_password, dossier=dossier)
