"""Reads of the office tree."""

from django.db.models import QuerySet

from gddt.offices.models import Office


def office_list() -> QuerySet[Office]:
    return Office.objects.filter(is_active=True).select_related("parent").order_by("path")


def office_get(*, code: str) -> Office | None:
    return Office.objects.filter(code=code, is_active=True).first()


def office_subtree(office: Office) -> QuerySet[Office]:
    return Office.objects.filter(path__startswith=office.path)
