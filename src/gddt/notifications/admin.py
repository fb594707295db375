from django.contrib import admin

from gddt.notifications.models import SmsTemplate


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    """Texts are sent without diacritics whatever is typed here; `$name` placeholders are filled in."""

    list_display = ["key", "text", "updated_at"]
    readonly_fields = ["key", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
