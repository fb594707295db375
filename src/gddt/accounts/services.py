"""Use cases of accounts: officers, their roles, their sign-in factors and tokens; citizens' sign-in; the demo."""

import re
import secrets
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from gddt.accounts.auth import (
    SignInLocked,
    api_token_create,
    api_tokens_revoke,
    citizen_token_create,
    password_authenticate,
    sign_in_lockout_minutes,
    token_sign_in_succeeded,
)
from gddt.accounts.models import Role, RoleAssignment, User, UserKind
from gddt.accounts.selectors import citizen_username_for, manager_reach, office_in_reach, officer_has_role
from gddt.audit.services import audit_record
from gddt.core.errors import FieldError, Problem, forbidden, invalid, not_found
from gddt.offices.models import Office
from gddt.offices.services import offices_import_csv

# Officers' usernames are names ("hn.verifier"); digits only are the citizens' (personal ID, insurance number).
_OFFICER_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{3,150}$")


def _unknown_roles(roles: list[str]) -> list[FieldError]:
    return [FieldError("roles", "unknown_role", _("Unknown role: %(role)s.") % {"role": role})
            for role in roles if role not in Role.values]


@transaction.atomic
def officer_create(*, username: str, office: Office, roles: list[str], password: str,
                   full_name: str = "", granted_by: User | None = None, starts_on: date | None = None,
                   ends_on: date | None = None) -> User:
    """An officer of `office` holding `roles` there. The password must pass the password rules."""
    errors = []
    if not _OFFICER_USERNAME.match(username) or username.isdigit():
        errors.append(FieldError("username", "invalid_username", _(
            "A username has 3 to 150 letters, digits or the signs . _ @ - and is not only digits.")))
    elif User.objects.filter(username=username).exists():
        errors.append(FieldError("username", "username_taken", _("This username is already taken.")))
    errors.extend(_unknown_roles(roles))
    try:
        validate_password(password)
    except ValidationError as error:
        errors.extend(FieldError("password", "weak_password", message) for message in error.messages)
    if errors:
        raise invalid(errors)
    first, _sep, last = full_name.rpartition(" ")
    user = User.objects.create_user(username=username, password=password, kind=UserKind.OFFICER, office=office,
                                    first_name=first, last_name=last)
    for role in dict.fromkeys(roles):
        RoleAssignment.objects.create(user=user, office=office, role=role, starts_on=starts_on, ends_on=ends_on,
                                      granted_by=granted_by)
    return user


# Initial passwords are read off an SMS and typed on a phone: no look-alike characters.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 - an alphabet


def initial_password_make() -> str:
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(10))
        if any(c.isdigit() for c in password) and any(c.isupper() for c in password):
            return password


def citizen_account_activate(*, dossier) -> tuple[User, str]:
    """Creates (or re-activates) the citizen's account of an approved dossier. The username is the personal ID,
    or the insurance number when there is none; the initial password must be changed at first sign-in.
    Returns the user and the initial password, which the caller sends by SMS and never stores."""
    username = dossier.personal_id or dossier.bhxh_code
    password = initial_password_make()
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        user = User(username=username, kind=UserKind.CITIZEN)
    elif user.kind != UserKind.CITIZEN:
        raise invalid([FieldError("personal_id", "username_taken", _("This number is already used by an officer."))])
    first, _sep, last = dossier.full_name.rpartition(" ")
    user.first_name, user.last_name = first, last
    user.phone = dossier.phone
    user.email = dossier.email
    user.is_active = True
    user.must_change_password = True
    user.set_password(password)
    user.save()
    return user, password


def password_generate() -> str:
    """A strong password for an officer created without one (printed once by the command)."""
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(16))
        if any(c.isdigit() for c in password) and any(c.isupper() for c in password):
            return password


# --- officers: created, given tokens, second factor -----------------------------------------------------------

def _officer_get(username: str) -> User:
    officer = User.objects.filter(username=username, kind=UserKind.OFFICER).first()
    if officer is None:
        raise not_found(_("No officer with the username %(username)s.") % {"username": username})
    return officer


@transaction.atomic
def officer_register(*, username: str, office_code: str, roles: list[str], password: str | None = None,
                     full_name: str = "") -> tuple[User, str]:
    """`gddt officer create`: an officer of the office with that code. Without a password a strong one is
    generated. Returns the officer and the password (to be shown once). Nothing is created on any error."""
    office = Office.objects.filter(code=office_code, is_active=True).first()
    errors = []
    if office is None:
        errors.append(FieldError("office", "unknown_office", _("Unknown office: %(code)s.") % {"code": office_code}))
    errors.extend(_unknown_roles(roles))
    if errors:
        raise invalid(errors)
    assert office is not None
    password = password or password_generate()
    officer = officer_create(username=username, office=office, roles=roles, password=password, full_name=full_name)
    audit_record(action="officer.create", target=username,
                 detail={"office": office.code, "roles": sorted(set(roles))})
    return officer, password


@transaction.atomic
def officer_token_issue(*, username: str, days: int | None = None) -> str:
    """`gddt officer token`: a new API token of an active officer, in clear this one time."""
    officer = _officer_get(username)
    if not officer.is_active:
        raise invalid([FieldError("username", "inactive", _("This officer's account is disabled."))])
    token = api_token_create(user=officer, days=days)
    audit_record(action="token.create", target=username, office=officer.office, detail={"prefix": token[:12]})
    return token


@transaction.atomic
def officer_tokens_revoke(*, username: str) -> int:
    """`gddt officer revoke-tokens`: every live token of the officer stops working; returns how many."""
    officer = _officer_get(username)
    count = api_tokens_revoke(user=officer)
    audit_record(action="token.revoke", target=username, office=officer.office, detail={"count": count})
    return count


@transaction.atomic
def officer_otp_reset(*, username: str) -> int:
    """`gddt officer otp-reset`: forgets the officer's authenticator (a lost phone); the next sign-in enrols a
    new one. Returns how many devices were removed."""
    officer = _officer_get(username)
    count, _details = TOTPDevice.objects.filter(user=officer).delete()
    audit_record(action="otp.reset", target=username, office=officer.office, detail={"count": count})
    return count


def otp_device_confirmed(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


@transaction.atomic
def otp_enrolment_start(*, user: User) -> TOTPDevice:
    """The authenticator being enrolled: the same one until it is confirmed, so a reload shows the same code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="GDĐT", confirmed=False)
    return device


def _otp_throttled(device: TOTPDevice) -> Problem | None:
    """django-otp makes the next try wait 1, 2, 4, 8... seconds after each wrong code."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    message = _("Too many wrong codes. Wait a little, then type the newest code.")
    locked_until = (data or {}).get("locked_until")
    return Problem(429, message, "otp_throttled", [FieldError("code", "throttled", message)],
                   {"locked_until": locked_until.isoformat() if locked_until else None})


def _wrong_code() -> Problem:
    return invalid([FieldError("code", "wrong_code", _("This code is not right. Type the 6-digit code that the "
                                                       "authenticator app shows now."))])


def _otp_check(device: TOTPDevice, code: str) -> TOTPDevice:
    """The device, refreshed, when `code` is right; every wrong code is counted (and committed) so that the next
    attempt waits longer; a code is accepted once only (TOTPDevice.last_t)."""
    code = code.strip().replace(" ", "")
    with transaction.atomic():
        # Row lock: two requests with the same code cannot both pass, and the failure count stays exact.
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        throttled = _otp_throttled(device)
        if throttled is None:
            if code.isdigit() and len(code) == device.digits:
                verified = device.verify_token(code)
            else:
                device.throttle_increment(commit=True)
                verified = False
    if throttled is not None:
        raise throttled
    if not verified:
        raise _wrong_code()
    return device


def otp_enrolment_confirm(*, user: User, code: str, request: HttpRequest | None = None) -> TOTPDevice:
    """Confirms the authenticator being enrolled with a code it shows; 422 field "code" when wrong."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        raise not_found(_("There is no authenticator being set up. Start again."))
    # Not one transaction: a wrong code must leave its failure count behind when the error is raised.
    device = _otp_check(device, code)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        audit_record(action="otp.enrol", actor=user, office=user.office, request=request, target=user.username)
    return device


def otp_code_check(*, user: User, code: str) -> TOTPDevice:
    """The second factor at sign-in: the officer's confirmed authenticator when the code is right; 422 field
    "code" when wrong, 429 after repeated wrong codes (exponential wait), 404 when none is enrolled."""
    device = otp_device_confirmed(user=user)
    if device is None:
        raise not_found(_("No authenticator is set up for this account."))
    return _otp_check(device, code)


# --- roles per office (issue item 2) ----------------------------------------------------------------------------

@transaction.atomic
def officer_roles_set(*, director: User, username: str, office_code: str, roles: list[str],
                      starts_on: date | None = None, ends_on: date | None = None,
                      request: HttpRequest | None = None) -> list[RoleAssignment]:
    """Replaces the roles of officer `username` at the office `office_code` (all with the same dates).
    Only a director or administrator whose subtrees hold both that office and the officer's own office
    (403 for anyone else; 404 for an officer or office outside the subtrees); nobody changes their own roles;
    only an administrator grants or withdraws the administrator role. Audited as "roles.change"."""
    tops = manager_reach(director)
    officer = User.objects.select_for_update().filter(username=username, kind=UserKind.OFFICER).first()
    if officer is None or not office_in_reach(officer.office, tops):
        raise not_found(_("No such officer in your offices."))
    office = Office.objects.filter(code=office_code).first()
    if office is None or not office_in_reach(office, tops):
        raise not_found(_("No such office among yours."))
    if officer.pk == director.pk:
        raise forbidden("own_roles", _("You cannot change your own roles: ask a director above you."))

    errors = _unknown_roles(roles)
    if starts_on and ends_on and ends_on < starts_on:
        errors.append(FieldError("ends_on", "ends_before_start", _("The end date is before the start date.")))
    if errors:
        raise invalid(errors)

    current = list(RoleAssignment.objects.select_for_update().filter(user=officer, office=office))
    before = sorted(a.role for a in current)
    after = sorted(set(roles))
    if (Role.ADMIN in after or Role.ADMIN in before) and not officer_has_role(director, {Role.ADMIN}, office=office):
        raise forbidden("admin_not_grantable",
                        _("Only an administrator grants or withdraws the administrator role."))

    RoleAssignment.objects.filter(user=officer, office=office).exclude(role__in=after).delete()
    for role in after:
        RoleAssignment.objects.update_or_create(
            user=officer, office=office, role=role,
            defaults={"starts_on": starts_on, "ends_on": ends_on, "granted_by": director})
    audit_record(action="roles.change", actor=director, office=director.office, request=request, target=username,
                 detail={"office": office.code, "before": before, "after": after,
                         "starts_on": starts_on.isoformat() if starts_on else None,
                         "ends_on": ends_on.isoformat() if ends_on else None})
    return list(RoleAssignment.objects.filter(user=officer, office=office).select_related("office").order_by("role"))


# --- citizens -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CitizenSignIn:
    access_token: str
    must_change_password: bool


def _sign_in_locked() -> Problem:
    message = _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.") % {
        "minutes": sign_in_lockout_minutes()}
    return Problem(429, message, "sign_in_locked")


def citizen_login(*, request: HttpRequest, username: str, password: str) -> CitizenSignIn:
    """POST /api/v1/auth/login: the username is the personal ID or the insurance number. A wrong username and a
    wrong password get the same 401; repeated failures lock the username out from that address (429)."""
    account = citizen_username_for(username)
    try:
        user = password_authenticate(request=request, username=account, password=password, kind=UserKind.CITIZEN)
    except SignInLocked:
        raise _sign_in_locked() from None
    if user is None:
        raise Problem(401, _("The username or the password is wrong."), "invalid_credentials")
    token_sign_in_succeeded(request=request, user=user, username=account)
    return CitizenSignIn(access_token=citizen_token_create(user=user), must_change_password=user.must_change_password)


@transaction.atomic
def citizen_password_change(*, user: User, old_password: str, new_password: str, token: str | None = None) -> User:
    """POST /api/v1/auth/password: a new password that passes the password rules; clears must_change_password
    and revokes the citizen's other tokens (the one in use, `token`, keeps working)."""
    if not user.check_password(old_password):
        raise invalid([FieldError("old_password", "wrong_password", _("The current password is wrong."))])
    errors = []
    if new_password == old_password:
        errors.append(FieldError("new_password", "same_password",
                                 _("The new password must differ from the current one.")))
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        errors.extend(FieldError("new_password", "weak_password", message) for message in error.messages)
    if errors:
        raise invalid(errors)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    api_tokens_revoke(user=user, keep=token)
    return user


# --- the demo (`gddt demo`) -----------------------------------------------------------------------------------

DEMO_OFFICES_CSV = """code,name,parent_code
07906,BHXH cơ sở Bình Thạnh,79
07901,BHXH cơ sở Sài Gòn,79
00101,BHXH cơ sở Hoàn Kiếm,01
00102,BHXH cơ sở Cầu Giấy,01
"""
DEMO_PASSWORD = "gddt-demo-2026"  # noqa: S105 - printed by `gddt demo` on purpose; demo systems only


@dataclass(frozen=True)
class DemoOfficer:
    username: str
    office_code: str
    roles: tuple[str, ...]
    full_name: str


DEMO_OFFICERS = (
    DemoOfficer("demo.hn.verifier", "00101", (Role.VERIFIER,), "Nguyễn Thị Tiếp Nhận"),
    DemoOfficer("demo.hn.approver", "00101", (Role.APPROVER,), "Trần Văn Phê Duyệt"),
    DemoOfficer("demo.hcm.verifier", "07906", (Role.VERIFIER,), "Lê Thị Tiếp Nhận"),
    DemoOfficer("demo.hcm.approver", "07906", (Role.APPROVER,), "Phạm Văn Phê Duyệt"),
    DemoOfficer("demo.director.01", "01", (Role.DIRECTOR,), "Hoàng Văn Giám Đốc"),
    DemoOfficer("demo.director.79", "79", (Role.DIRECTOR,), "Võ Thị Giám Đốc"),
    DemoOfficer("demo.admin", "00", (Role.ADMIN,), "Đặng Văn Quản Trị"),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    office_code: str
    office_name: str
    roles: tuple[str, ...]
    password: str


class DemoNotReady(Exception):
    """The reference offices are missing: `gddt init` has not run."""


@transaction.atomic
def demo_load() -> list[DemoAccount]:
    """Demo offices in Hà Nội and Hồ Chí Minh City and demo officers with a known password. Safe to run again:
    a second run finds everything as the first left it (a changed demo password or role is put back)."""
    if Office.objects.filter(code__in=["00", "01", "79"]).count() < 3:
        raise DemoNotReady
    offices_import_csv(text=DEMO_OFFICES_CSV)
    accounts = []
    for spec in DEMO_OFFICERS:
        office = Office.objects.get(code=spec.office_code)
        officer = User.objects.filter(username=spec.username).first()
        if officer is None:
            officer = officer_create(username=spec.username, office=office, roles=list(spec.roles),
                                     password=DEMO_PASSWORD, full_name=spec.full_name)
            audit_record(action="officer.create", target=spec.username,
                         detail={"office": office.code, "roles": list(spec.roles), "demo": True})
        else:
            _demo_officer_restore(officer, spec, office)
        if Role.ADMIN in spec.roles and not (officer.is_staff and officer.is_superuser):
            # The demo administrator also reaches the Django admin (/quan-tri/), after the second factor.
            officer.is_staff = officer.is_superuser = True
            officer.save(update_fields=["is_staff", "is_superuser"])
        accounts.append(DemoAccount(username=spec.username, office_code=office.code, office_name=office.name,
                                    roles=spec.roles, password=DEMO_PASSWORD))
    return accounts


def _demo_officer_restore(officer: User, spec: DemoOfficer, office: Office) -> None:
    changed = []
    if officer.kind != UserKind.OFFICER or officer.office_id != office.pk or not officer.is_active:
        officer.kind, officer.office, officer.is_active = UserKind.OFFICER, office, True
        changed += ["kind", "office", "is_active"]
    if not officer.check_password(DEMO_PASSWORD):
        officer.set_password(DEMO_PASSWORD)
        changed.append("password")
    if changed:
        officer.save(update_fields=changed)
    assignments = RoleAssignment.objects.filter(user=officer, office=office)
    if sorted(a.role for a in assignments) != sorted(spec.roles) or any(a.starts_on or a.ends_on for a in assignments):
        assignments.delete()
        for role in spec.roles:
            RoleAssignment.objects.create(user=officer, office=office, role=role)
