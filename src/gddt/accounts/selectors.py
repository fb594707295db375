"""Who may do what, where. A role held in an office is held in that office's whole subtree (product.md rule 5)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gddt.accounts.models import Role, RoleAssignment, User, UserKind
from gddt.core.errors import forbidden, not_found
from gddt.core.text import mask
from gddt.offices.models import Office
from gddt.registrations.models import DocumentKind, Dossier, Status
from gddt.registrations.numbers import dossier_number_format
from gddt.registrations.selectors import missing_documents
from gddt.registrations.states import state_rules


def role_assignments_active(user: User, *, on: date | None = None) -> QuerySet[RoleAssignment]:
    day = on or timezone.localdate()
    return (
        RoleAssignment.objects.filter(user=user, user__is_active=True)
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=day))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .select_related("office")
    )


def offices_with_role(user: User, roles: set[str] | set[Role]) -> list[Office]:
    """The offices at the top of the subtrees where the user holds one of `roles` today."""
    if user.kind != UserKind.OFFICER:
        return []
    return [a.office for a in role_assignments_active(user) if a.role in roles]


def officer_has_role(user: User, roles: set[str] | set[Role], *, office: Office | None = None) -> bool:
    """True when the user holds one of `roles` today; with `office`, in a subtree that contains that office."""
    tops = offices_with_role(user, roles)
    if office is None:
        return bool(tops)
    return any(office.path.startswith(top.path) for top in tops)


def subtree_filter(user: User, roles: set[str] | set[Role], *, path_field: str = "path") -> Q:
    """A filter on `path_field` (an office path) that keeps what lies in the user's subtrees for `roles`;
    matches nothing when the user has none."""
    query = Q(pk__in=[])
    for top in offices_with_role(user, roles):
        query |= Q(**{f"{path_field}__startswith": top.path})
    return query


# --- staff of a director's subtree ----------------------------------------------------------------------------

MANAGER_ROLES = {Role.DIRECTOR, Role.ADMIN}


@dataclass(frozen=True)
class StaffOffice:
    """The roles an officer holds (today or later) at one office."""

    office: Office
    roles: list[str]
    starts_on: date | None
    ends_on: date | None
    editable: bool  # the director may change these roles (see staff_offices)

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(role).label) if role in Role.values else role for role in self.roles]


@dataclass(frozen=True)
class StaffMember:
    user: User
    offices: list[StaffOffice]

    @property
    def full_name(self) -> str:
        return self.user.get_full_name()

    @property
    def holds_admin(self) -> bool:
        """Holds the administrator role somewhere, now or later: only an administrator resets their second factor."""
        return any(Role.ADMIN in row.roles for row in self.offices)


def manager_reach(director: User) -> list[Office]:
    """The tops of the subtrees where `director` manages staff; 403 when they manage none."""
    tops = offices_with_role(director, MANAGER_ROLES)
    if not tops:
        raise forbidden("not_a_director", _("Only a director or an administrator manages roles."))
    return tops


def office_in_reach(office: Office | None, tops: list[Office]) -> bool:
    """True when `office` lies in one of the subtrees topped by `tops`."""
    return office is not None and any(office.path.startswith(top.path) for top in tops)


def _current_and_future(assignments: Iterable[RoleAssignment], day: date) -> list[RoleAssignment]:
    return [a for a in assignments if a.ends_on is None or a.ends_on >= day]


def staff_offices(
    member: User, *, director: User, tops: list[Office], admin_tops: list[Office], day: date
) -> list[StaffOffice]:
    """The member's current and future roles grouped by office; a row is editable by `director` when the office
    lies in their subtrees, it is not their own row, and it holds no administrator role (unless they are an
    administrator there)."""
    by_office: dict[int, list[RoleAssignment]] = {}
    for assignment in _current_and_future(member.role_assignments.all(), day):
        by_office.setdefault(assignment.office_id, []).append(assignment)
    rows = []
    for assignments in by_office.values():
        first = assignments[0]
        roles = sorted(a.role for a in assignments)
        editable = (
            member.pk != director.pk
            and office_in_reach(first.office, tops)
            and (Role.ADMIN not in roles or office_in_reach(first.office, admin_tops))
        )
        rows.append(
            StaffOffice(
                office=first.office, roles=roles, starts_on=first.starts_on, ends_on=first.ends_on, editable=editable
            )
        )
    return sorted(rows, key=lambda row: row.office.path)


def _subtrees(tops: list[Office], field: str) -> Q:
    query = Q(pk__in=[])
    for top in tops:
        query |= Q(**{f"{field}__startswith": top.path})
    return query


def staff_officers(*, director: User, office_code: str | None = None, query: str = "") -> QuerySet[User]:
    """The officers whose own office lies in the director's subtrees (or in the subtree of `office_code`, 404
    outside them), optionally those whose username or name contains `query`; by office, then username."""
    tops = manager_reach(director)
    officers = User.objects.filter(_subtrees(tops, "office__path"), kind=UserKind.OFFICER)
    if office_code:
        office = Office.objects.filter(code=office_code).first()
        if office is None or not office_in_reach(office, tops):
            raise not_found(_("No such office among yours."))
        officers = officers.filter(office__path__startswith=office.path)
    query = query.strip()
    if query:
        officers = officers.filter(
            Q(username__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query)
        )
    return (
        officers.select_related("office")
        .prefetch_related(
            Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.select_related("office").order_by("office__path", "role"),
            )
        )
        .order_by("office__path", "username")
    )


def staff_members(*, director: User, officers: Iterable[User]) -> list[StaffMember]:
    tops = manager_reach(director)
    admin_tops = offices_with_role(director, {Role.ADMIN})
    day = timezone.localdate()
    return [
        StaffMember(
            user=officer, offices=staff_offices(officer, director=director, tops=tops, admin_tops=admin_tops, day=day)
        )
        for officer in officers
    ]


def staff_list(*, director: User, office_code: str | None = None, query: str = "") -> list[StaffMember]:
    """The officers whose office lies in the director's subtrees with their active and future assignments;
    403 for an officer who is neither a director nor an administrator."""
    return staff_members(
        director=director, officers=staff_officers(director=director, office_code=office_code, query=query)
    )


def staff_member(*, director: User, username: str) -> StaffMember:
    """One officer of the director's subtrees; 404 outside them (or when there is no such officer)."""
    tops = manager_reach(director)
    officer = (
        User.objects.filter(username=username, kind=UserKind.OFFICER)
        .select_related("office")
        .prefetch_related("role_assignments__office")
        .first()
    )
    if officer is None or not office_in_reach(officer.office, tops):
        raise not_found(_("No such officer in your offices."))
    return staff_members(director=director, officers=[officer])[0]


def offices_managed(*, director: User) -> list[Office]:
    """Every active office in the director's subtrees (choices of the role form)."""
    return list(Office.objects.filter(_subtrees(manager_reach(director), "path"), is_active=True).order_by("path"))


# --- citizens -------------------------------------------------------------------------------------------------

_INSURANCE_NUMBER = re.compile(r"^\d{10}$")


def citizen_username_for(identifier: str) -> str:
    """The account username behind what a citizen types to sign in: the personal ID is the username itself;
    a 10-digit insurance number leads to the account of the approved dossier that carries it."""
    identifier = identifier.strip()
    if _INSURANCE_NUMBER.match(identifier):
        username = (
            Dossier.objects.filter(
                bhxh_code=identifier, status=Status.APPROVED, account__isnull=False, account__kind=UserKind.CITIZEN
            )
            .order_by("-approved_at")
            .values_list("account__username", flat=True)
            .first()
        )
        if username:
            return username
    return identifier


@dataclass(frozen=True)
class CitizenProfile:
    username: str
    full_name: str
    phone_masked: str
    must_change_password: bool
    dossier_no: str | None
    dossier_status: str | None


def citizen_profile(*, user: User) -> CitizenProfile:
    dossier = Dossier.objects.filter(account=user).order_by("-approved_at", "-submitted_at").first()
    return CitizenProfile(
        username=user.username,
        full_name=user.get_full_name(),
        phone_masked=mask(user.phone) if user.phone else "",
        must_change_password=user.must_change_password,
        dossier_no=dossier_number_format(dossier.number) if dossier and dossier.number else None,
        dossier_status=dossier.status if dossier else None,
    )


@dataclass(frozen=True)
class CitizenRegistration:
    """ "My registration" in words a citizen understands: what the states table says this state shows."""

    dossier_no: str
    status: str
    status_label: str
    explanation: str
    office_name: str  # where it was completed, or else the office chosen
    deadline: datetime | None  # shown only while the dossier waits to be completed
    missing: list[str]  # the documents still missing, by their labels
    bring: bool  # whether to remind them to bring the originals to an office


def _explanation(status: str) -> str:
    texts = {
        Status.SUBMITTED: _(
            "Your registration is waiting for you: go to any VSS office with your ID card before the deadline."
        ),
        Status.VERIFIED: _("An officer has checked your documents; the registration is waiting for approval."),
        Status.APPROVED: _("Your registration is complete and your account is active."),
        Status.REJECTED: _("Your registration was refused. Contact a VSS office to know why and what to do."),
        Status.EXPIRED: _(
            "Nobody completed the registration before the deadline. Go to any VSS office with your "
            "documents and the dossier number: an officer can reopen it."
        ),
    }
    return str(texts.get(Status(status), ""))


def citizen_registration(*, user: User) -> CitizenRegistration | None:
    """The citizen's latest dossier, as the states table says a citizen sees it; None when there is none."""
    dossier = (
        Dossier.objects.filter(account=user)
        .select_related("office", "completed_office")
        .prefetch_related("documents")
        .order_by("-approved_at", "-submitted_at")
        .first()
    )
    if dossier is None:
        return None
    rules = state_rules(dossier.status)
    missing = missing_documents(dossier) if rules.citizen_missing else []
    office = dossier.completed_office or dossier.office
    return CitizenRegistration(
        dossier_no=dossier_number_format(dossier.number or ""),
        status=dossier.status,
        status_label=str(Status(dossier.status).label),
        explanation=_explanation(dossier.status),
        office_name=office.name,
        deadline=dossier.expires_at if rules.citizen_deadline else None,
        missing=[str(DocumentKind(kind).label) for kind in missing if kind in DocumentKind.values],
        bring=rules.citizen_bring,
    )
