"""Reads of the archives: the one access function that reaches a dossier's archive for an officer, and the
archives of the dossiers approved in a period (the records office's export)."""

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gddt.accounts.models import Role, User
from gddt.accounts.selectors import officer_has_role
from gddt.archives.models import Archive
from gddt.core.errors import Problem, forbidden, not_found
from gddt.counter.selectors import ACTION_ROLES
from gddt.registrations.models import Dossier, Status
from gddt.registrations.numbers import dossier_number_is_valid, dossier_number_normalize

# Opening an archive is a look at personal data: the counter roles that may open the dossier itself.
ARCHIVE_ROLES: set[str] = ACTION_ROLES["view"]
ANY_ROLE: set[str] = set(Role.values)


def archive_for_officer(*, officer: User, dossier_no: str) -> Archive:
    """THE access function of archives: 404 for an unknown number and for an officer with no role in the
    completing office's subtree (outside reach), 403 for one whose roles there are not counter roles (a
    director), 404 `archive_not_ready` while the dossier is not approved or its archive not yet made."""
    number = dossier_number_normalize(dossier_no or "")
    absent = not_found(_("There is no dossier with this number."))
    if number is None or not dossier_number_is_valid(number):
        raise absent
    dossier = Dossier.objects.select_related("completed_office").filter(number=number).first()
    office = dossier.completed_office if dossier is not None else None
    if dossier is None or office is None or not officer_has_role(officer, ANY_ROLE, office=office):
        raise absent
    if not officer_has_role(officer, ARCHIVE_ROLES, office=office):
        raise forbidden(
            "missing_role",
            _("Opening a dossier's archive needs the role of receiving or approving officer in the completing office."),
        )
    archive = Archive.objects.select_related("dossier").filter(dossier=dossier).first()
    if dossier.status != Status.APPROVED or archive is None:
        raise Problem(
            404,
            _("This dossier has no archive yet: it is made a few moments after approval. Try again shortly.")
            if dossier.status == Status.APPROVED
            else _("Only an approved dossier has an archive."),
            "archive_not_ready",
        )
    return archive


def archive_reachable(*, officer: User, dossier: Dossier) -> bool:
    """Whether the officer may download the archive of this approved dossier (the dossier page's link)."""
    office = dossier.completed_office
    return (
        dossier.status == Status.APPROVED
        and office is not None
        and officer_has_role(officer, ARCHIVE_ROLES, office=office)
    )


def local_day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the project's time zone (Asia/Ho_Chi_Minh)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def dossiers_approved_between(*, first: date, last: date) -> QuerySet[Dossier]:
    """The dossiers approved from `first` to `last`, both days included, in local time; with their archives."""
    return (
        Dossier.objects.filter(
            status=Status.APPROVED,
            approved_at__gte=local_day_start(first),
            approved_at__lt=local_day_start(last + timedelta(days=1)),
        )
        .select_related("archive", "completed_office")
        .order_by("approved_at", "id")
    )
