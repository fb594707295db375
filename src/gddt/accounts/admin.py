"""The Django admin (/quan-tri/) is for administrators only: staff accounts that have also passed the second
factor. Its own login page is replaced by the officers' sign-in (password, then the authenticator app)."""

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gddt.accounts.decorators import is_verified_officer
from gddt.accounts.models import ApiToken, RoleAssignment, User
from gddt.core.errors import forbidden


class OfficerAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and is_verified_officer(user))

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if is_verified_officer(request.user):  # signed in, but not an administrator
            problem = forbidden("not_an_administrator", _("The administration pages are for administrators."))
            return render(request, "accounts/problem.html", {"problem": problem}, status=403)
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), settings.LOGIN_URL)


# The documented way to put an AdminSite subclass in place of the default one (django-otp does the same).
admin.site.__class__ = OfficerAdminSite


@admin.register(User)
class OfficerUserAdmin(UserAdmin):
    list_display = ("username", "kind", "office", "first_name", "last_name", "is_active", "is_staff")
    list_filter = ("kind", "is_active", "is_staff", "office__level")
    search_fields = ("username", "first_name", "last_name")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("GDĐT"), {"fields": ("kind", "office", "phone", "must_change_password")}),
    )
    raw_id_fields = ("office",)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Read-mostly: roles are set by directors on their page (audited); here they can be looked at."""

    list_display = ("user", "office", "role", "starts_on", "ends_on", "granted_by", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "office__code", "office__name")
    readonly_fields = ("user", "office", "role", "granted_by", "created_at")
    raw_id_fields = ("user", "office", "granted_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "audience", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("audience",)
    search_fields = ("user__username", "prefix")
    readonly_fields = ("user", "audience", "key_hash", "prefix", "created_at", "expires_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
