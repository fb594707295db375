"""`{% load reports_nav %}`: whether the signed-in officer sees the reports (the link in the officer frame)."""

from django import template
from django.contrib.auth.models import AnonymousUser

from gddt.accounts.models import User
from gddt.reports.selectors import reports_visible_to

register = template.Library()


@register.filter
def sees_reports(user: User | AnonymousUser) -> bool:
    return isinstance(user, User) and user.is_authenticated and reports_visible_to(user)
