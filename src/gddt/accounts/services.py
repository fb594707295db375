from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gddt.accounts.models import Role, RoleAssignment, User, UserKind
from gddt.core.errors import FieldError, invalid
from gddt.offices.models import Office


@transaction.atomic
def officer_create(*, username: str, office: Office, roles: list[str], password: str,
                   full_name: str = "", granted_by: User | None = None, starts_on: date | None = None,
                   ends_on: date | None = None) -> User:
    """An officer of `office` holding `roles` there. The password must pass the password rules."""
    errors = []
    if User.objects.filter(username=username).exists():
        errors.append(FieldError("username", "username_taken", _("This username is already taken.")))
    for role in roles:
        if role not in Role.values:
            errors.append(FieldError("roles", "unknown_role", _("Unknown role: %(role)s.") % {"role": role}))
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
    import secrets

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
