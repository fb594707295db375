"""`{% load reports_nav %}`: whether the signed-in officer sees the reports (the link in the officer frame)."""

from django import template

from gddt.reports.selectors import reports_visible_to

register = template.Library()


@register.filter
def sees_reports(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and reports_visible_to(user)
