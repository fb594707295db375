"""Who may do what, where. A role held in an office is held in that office's whole subtree (product.md rule 5)."""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from gddt.accounts.models import Role, RoleAssignment, User, UserKind
from gddt.offices.models import Office


def role_assignments_active(user: User, *, on: date | None = None) -> QuerySet[RoleAssignment]:
    day = on or timezone.localdate()
    return (RoleAssignment.objects.filter(user=user, user__is_active=True)
            .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=day))
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
            .select_related("office"))


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
