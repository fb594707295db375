from django.contrib import admin
from django.http import HttpRequest

from gddt.offices.models import Office


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    """Administrators manage the tree from CSV (`gddt offices import`); here they rename an office, close it,
    or switch its separation-of-duties setting (rule 7)."""

    list_display = ["code", "name", "level", "province", "is_active", "separation_of_duties"]
    list_filter = ["level", "is_active", "separation_of_duties"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "level", "parent", "province", "is_active", "separation_of_duties"]
    readonly_fields = ["code", "level", "parent", "province"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Office | None = None) -> bool:
        return False
