from django.contrib import admin

from gddt.registrations.models import RequiredComponent


@admin.register(RequiredComponent)
class RequiredComponentAdmin(admin.ModelAdmin):
    """The components a dossier needs before approval, per category (product.md), as data."""

    list_display = ["category", "kind", "min_short_side", "except_id_type", "position"]
    list_filter = ["category"]
    list_editable = ["min_short_side", "position"]
